/* fuzz-common.h: what every fuzz target shares (docs/fuzzing.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A target is one LLVMFuzzerTestOneInput(); it is linked either with
 * libFuzzer (clang, -Dfuzzing=true) or with fuzz-standalone.c, which runs
 * the files of a corpus once (the fuzz-regress-* tests of every build).
 * Either way a GLib warning or critical aborts: malformed input must be
 * answered with a GError, never with a critical.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "intake-keys.h"

G_BEGIN_DECLS

int  LLVMFuzzerInitialize (int       *argc,
                           char    ***argv);
int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);

/* libsodium, fatal warnings and criticals, quiet debug output. Idempotent. */
void fuzz_init (void);

/* Fixed keys, the same in every run, so that the seed corpora (made by
 * fuzz-make-seeds) stay valid: an office key, a kiosk's device key. */
const IntakeOfficeSecret *fuzz_office_secret (void);
const IntakeOfficePublic *fuzz_office_public (void);
const IntakeDeviceKey    *fuzz_device_key    (void);
/* The workstation key of the fuzzers' reviewer key blobs. */
const IntakeWorkstationKey *fuzz_workstation_key (void);

/* The passphrase of the wrapped keys in the seed corpora. */
#define FUZZ_PASSPHRASE "fuzzing passphrase"

/* A directory for the run (under $TMPDIR), removed at exit. */
const char *fuzz_tmpdir (void);
/* Writes @data to @name in fuzz_tmpdir() and returns the path. */
char       *fuzz_write_file (const char    *name,
                             const uint8_t *data,
                             size_t         size);

G_END_DECLS
