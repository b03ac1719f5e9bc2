/* intake-bundle.h: signed files of envelopes for offline sites (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-keys.h"

G_BEGIN_DECLS

#define INTAKE_BUNDLE_MAX_ENVELOPES 100000
#define INTAKE_BUNDLE_MAX_ENVELOPE  (2 * 1024 * 1024)
/* The largest bundle read unless the caller allows more: about 100,000
 * envelopes of a usual size, far beyond a kiosk's outbox. The format's
 * own ceiling (100,000 x 2 MiB) is no limit at all. */
#define INTAKE_BUNDLE_DEFAULT_MAX_SIZE ((guint64)256 * 1024 * 1024)

/* @envelopes: GBytes. Signed by @device. */
GBytes   *intake_bundle_build (const IntakeDeviceKey  *device,
                               gint64                  created_at,
                               GPtrArray              *envelopes);
/* Checks format and signature. Returns the envelopes (GBytes), and the
 * signing device and creation time. Errors: INTAKE_PROTOCOL_ERROR. */
GPtrArray *intake_bundle_parse (GBytes                 *bundle,
                                IntakeDevicePublic     *out_device,
                                gint64                 *out_created_at,
                                GError                **error);
/* Reads a bundle from @stream and parses it as intake_bundle_parse()
 * does, holding at most @max_size bytes: the header, each envelope's
 * length and the running total are checked as they arrive, and reading
 * stops at the first that is out of bounds (INTAKE_PROTOCOL_ERROR_TOO_LARGE,
 * _TRUNCATED, _MALFORMED, ...); read errors are G_IO_ERROR. */
GPtrArray *intake_bundle_read  (GInputStream           *stream,
                                guint64                 max_size,
                                IntakeDevicePublic     *out_device,
                                gint64                 *out_created_at,
                                GCancellable           *cancellable,
                                GError                **error);
/* Opens @path and reads it with intake_bundle_read(); a file larger than
 * @max_size is refused from its size, before any of it is read. */
GPtrArray *intake_bundle_load  (const char             *path,
                                guint64                 max_size,
                                IntakeDevicePublic     *out_device,
                                gint64                 *out_created_at,
                                GError                **error);

G_END_DECLS
