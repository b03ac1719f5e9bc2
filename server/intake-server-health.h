/* intake-server-health.h: what /healthz answers (docs/server.md, "Health")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_SERVER_HEALTH (intake_server_health_get_type ())

G_DECLARE_FINAL_TYPE (IntakeServerHealth, intake_server_health, INTAKE, SERVER_HEALTH, GObject)

/* Checks @store: on every call a round trip (and for SQLite the free
 * space beside it, at least @min_free_disk bytes); every @check_interval
 * seconds, in a thread, intake_store_check_files() (integrity and a write
 * probe), whose last result each call reports. */
IntakeServerHealth *intake_server_health_new           (IntakeStore         *store,
                                                        guint64              min_free_disk,
                                                        guint                check_interval);
/* TRUE when healthy; else @out_code ("store_unavailable", "store_damaged",
 * "store_not_writable", "disk_low") and a one-line @out_message. */
gboolean            intake_server_health_check         (IntakeServerHealth  *self,
                                                        const char         **out_code,
                                                        char               **out_message);
/* Free bytes beside a SQLite store, or -1. */
gint64              intake_server_health_get_free_disk (IntakeServerHealth  *self);

G_END_DECLS
