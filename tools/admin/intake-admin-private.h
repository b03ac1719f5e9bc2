/* intake-admin-private.h: what the intake-admin command groups share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-keys.h"
#include "intake-review-client.h"
#include "intake-secure.h"
#include "intake-store.h"

G_BEGIN_DECLS

/* The exit status of a usage error; failures exit with EXIT_FAILURE. */
#define INTAKE_ADMIN_EXIT_USAGE 2

/* The --data DIR / --postgres CONNINFO pair every store command takes. */
#define INTAKE_ADMIN_STORE_OPTIONS(data_dir, conninfo) \
  { "data", 0, 0, G_OPTION_ARG_FILENAME, &(data_dir), N_("Server data directory (SQLite store)"), "DIR" }, \
  { "postgres", 0, 0, G_OPTION_ARG_STRING, &(conninfo), N_("PostgreSQL store (libpq connection string)"), "CONNINFO" }

int                 intake_admin_fail                 (GError               *error);
int                 intake_admin_usage_error          (const char           *usage,
                                                       const char           *message);
gboolean            intake_admin_parse_options        (GOptionEntry         *entries,
                                                       const char           *usage,
                                                       int                  *argc,
                                                       char               ***argv,
                                                       int                  *status);
IntakeSecureBuffer *intake_admin_get_passphrase       (const char           *file,
                                                       gboolean              confirm,
                                                       GError              **error);
gboolean            intake_admin_ensure_private_dir   (const char           *dir,
                                                       GError              **error);
/* Every file intake-admin writes is 0600, public key halves too (copy
 * them with install -m 0644 where another user must read them). */
gboolean            intake_admin_make_private         (const char           *path,
                                                       GError              **error);
gboolean            intake_admin_read_input           (const char           *path,
                                                       GBytes              **out_bytes,
                                                       GError              **error);
gboolean            intake_admin_write_output         (const char           *path,
                                                       GBytes               *bytes,
                                                       GError              **error);
gboolean            intake_admin_load_office_public   (const char           *dir,
                                                       IntakeOfficePublic  **out_public,
                                                       GError              **error);
char               *intake_admin_format_time          (gint64                unix_seconds);
/* Key replacement: @current gets the second name @old_name (unless that
 * exists already), then loses its name to @new_name's file. Never
 * replaces a file under another name. */
gboolean            intake_admin_swap_names           (const char           *current,
                                                       const char           *old_name,
                                                       const char           *new_name,
                                                       GError              **error);
gboolean            intake_admin_record_audit         (IntakeStore          *store,
                                                       const char           *action,
                                                       const char           *object,
                                                       const char           *result,
                                                       GError              **error);

/* Waits for one asynchronous step at a time, in a private main context
 * pushed by init and popped by clear (which first lets finished requests
 * release what they hold). */
typedef struct {
  GMainContext *context;
  GMainLoop    *loop;
  GAsyncResult *result;
} IntakeAdminSync;

void                intake_admin_sync_init            (IntakeAdminSync      *sync);
void                intake_admin_sync_clear           (IntakeAdminSync      *sync);
void                intake_admin_sync_cb              (GObject              *source,
                                                       GAsyncResult         *result,
                                                       gpointer              user_data);
GAsyncResult       *intake_admin_sync_wait            (IntakeAdminSync      *sync);
/* A review client for @server, trusting @tls_ca (may be NULL) and keeping
 * the workstation key in @workstation_key (NULL: the keyring or data
 * directory). Call inside intake_admin_sync_init(). */
IntakeReviewClient *intake_admin_client_new           (const char           *server,
                                                       const char           *tls_ca,
                                                       const char           *workstation_key,
                                                       GError              **error);

G_END_DECLS
