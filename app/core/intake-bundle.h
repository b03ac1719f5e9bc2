/* intake-bundle.h: signed files of envelopes for offline sites (docs/protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "intake-keys.h"

G_BEGIN_DECLS

#define INTAKE_BUNDLE_MAX_ENVELOPES 100000
#define INTAKE_BUNDLE_MAX_ENVELOPE  (2 * 1024 * 1024)

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

G_END_DECLS
