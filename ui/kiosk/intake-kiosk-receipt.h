/* intake-kiosk-receipt.h: the reference code on paper, for the resident to keep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What a receipt says, in the resident's language (@language, a Pango
 * language code, for shaping): @caption above the code, the code large,
 * its QR code, @hint under it, and @when. Nothing of the answers. */
typedef struct {
  const char *language;
  const char *caption;    /* "Your reference code" */
  const char *reference;  /* "ABCD-EFGH" */
  const char *hint;       /* "Show this code at the counter if you have a question." */
  const char *when;       /* "07-12-2026 10:31" */
} IntakeKioskReceipt;

/* Prints @receipt on the printer named @printer (GtkPrintOperation, no
 * dialog; the kiosk's "receipt-printer" setting) on receipt paper 80 mm
 * wide; or, with @export_pdf, writes it as that PDF file instead (tests, the
 * tour). Finishes when the job was handed over or failed. */
void     intake_kiosk_receipt_print_async  (const IntakeKioskReceipt *receipt,
                                            GtkWindow                *parent,
                                            const char               *printer,
                                            const char               *export_pdf,
                                            GCancellable             *cancellable,
                                            GAsyncReadyCallback       callback,
                                            gpointer                  user_data);
gboolean intake_kiosk_receipt_print_finish (GAsyncResult             *result,
                                            GError                  **error);

G_END_DECLS
