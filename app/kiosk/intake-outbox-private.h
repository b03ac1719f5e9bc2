/* intake-outbox-private.h: for tests and benchmarks only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "intake-outbox.h"

G_BEGIN_DECLS

/* The connection itself, to inspect pragmas or simulate a full disk
 * (PRAGMA max_page_count) in tests. */
sqlite3 *intake_outbox_get_db (IntakeOutbox *self);

G_END_DECLS
