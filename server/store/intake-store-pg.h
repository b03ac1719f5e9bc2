/* intake-store-pg.h: the PostgreSQL store (several stateless servers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_STORE_PG (intake_store_pg_get_type ())

G_DECLARE_FINAL_TYPE (IntakeStorePg, intake_store_pg, INTAKE, STORE_PG, GObject)

/* Connects with a libpq connection string ("host=... dbname=..." or a
 * postgresql:// URI) and migrates the schema under an advisory lock, so
 * several servers may start at once. Errors: INTAKE_STORE_ERROR_OPEN,
 * _SCHEMA_TOO_NEW, _DATABASE. */
IntakeStore *intake_store_pg_connect (const char  *conninfo,
                                      GError     **error);

G_END_DECLS
