/* bench-review-util.h: what bench-review and bench-review-open share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "intake-keys.h"
#include "intake-questionnaire.h"
#include "intake-secure.h"
#include "intake-store.h"

#define REVIEWER_NAME    "Bench Reviewer"
#define REVIEWER_PASS    "a long benchmark passphrase"

/* One kiosk of the seeding: its sealed envelopes and their upload bodies. */
typedef struct {
  IntakeDeviceKey    *key;
  IntakeOfficePublic *office;
  IntakeQuestionnaire *questionnaire;
  IntakeSecureBuffer *plaintext;   /* one real session per device */
  guint               n;
  GPtrArray          *envelopes;   /* GBytes */
  GPtrArray          *bodies;      /* GBytes: one upload body of 100 per batch */
  const char         *url;
  guint               stored;
  guint               failed;
} Device;

typedef struct {
  GAsyncResult *result;
} AsyncWait;

double now_s (void);
int compare_double (gconstpointer a, gconstpointer b);
double median (double *values, guint n);
void wait_until (gboolean (*done) (gpointer), gpointer data, const char *what);
GBytes *upload_body (GPtrArray *envelopes, guint from, guint to);
gpointer seal_thread (gpointer data);
guint count_stored (GBytes *reply);
gpointer upload_thread (gpointer data);
void add_reviewer (IntakeStore *store, const IntakeOfficeSecret *office_secret, const IntakeSecureBuffer *passphrase, const char *key_path);
void async_cb (GObject *source, GAsyncResult *result, gpointer user_data);
gboolean async_done (gpointer data);
