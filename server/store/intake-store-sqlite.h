/* intake-store-sqlite.h: the SQLite store (one file, the default)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "intake-store.h"

G_BEGIN_DECLS

#define INTAKE_TYPE_STORE_SQLITE (intake_store_sqlite_get_type ())

G_DECLARE_FINAL_TYPE (IntakeStoreSqlite, intake_store_sqlite, INTAKE, STORE_SQLITE, GObject)

/* Opens and migrates the database at @path. A missing file is created
 * (mode 0600) complete under a temporary name and then linked into place;
 * an empty (0-byte) file is refused (INTAKE_STORE_ERROR_DAMAGED): that is
 * a lost store, not a new one. Errors: INTAKE_STORE_ERROR_OPEN, _DAMAGED,
 * _SCHEMA_TOO_NEW, _DATABASE. */
IntakeStore *intake_store_sqlite_open (const char  *path,
                                       GError     **error);

G_END_DECLS
