/* intake-store-pg.h: the PostgreSQL store (several stateless servers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_STORE_PG (intake_store_pg_get_type ())

G_DECLARE_FINAL_TYPE (IntakeStorePg, intake_store_pg, INTAKE, STORE_PG, GObject)

/* Seconds a statement may run (a lock wait: half of it) before the
 * database cancels it and the call fails with INTAKE_STORE_ERROR_DATABASE. */
#define INTAKE_STORE_PG_STATEMENT_TIMEOUT_DEFAULT 10
#define INTAKE_STORE_PG_STATEMENT_TIMEOUT_MAX     3600

/* Connects with a libpq connection string ("host=... dbname=..." or a
 * postgresql:// URI), giving up after 10 s unless it (or PGCONNECT_TIMEOUT)
 * sets connect_timeout, and migrates the schema under an advisory lock, so
 * several servers may start at once. Every statement after the migrations
 * is bounded by @statement_timeout seconds (1 to
 * INTAKE_STORE_PG_STATEMENT_TIMEOUT_MAX). Errors: INTAKE_STORE_ERROR_OPEN,
 * _SCHEMA_TOO_NEW, _DATABASE. */
IntakeStore *intake_store_pg_connect (const char  *conninfo,
                                      guint        statement_timeout,
                                      GError     **error);

/* Grants @role what intake-server needs on this store and nothing more:
 * rows of every table, but the audit log only INSERT (and its head row
 * UPDATE), no DDL. Run as the store's owner after the migrations
 * (intake-admin db grant; docs/server.md, "PostgreSQL roles"). */
gboolean     intake_store_pg_grant_runtime (IntakeStore  *store,
                                            const char   *role,
                                            GError      **error);

G_END_DECLS
