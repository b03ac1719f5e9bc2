/* intake-kiosk-qr.h: a QR code of the reference code, to photograph
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INTAKE_TYPE_KIOSK_QR (intake_kiosk_qr_get_type ())

G_DECLARE_FINAL_TYPE (IntakeKioskQr, intake_kiosk_qr, INTAKE, KIOSK_QR, GObject)

/* A QR code (libqrencode, error correction level M) of @text, and nothing
 * else: the kiosk encodes the reference code only ("ABCD-EFGH"), so the
 * photo of it holds nothing personal. A GdkPaintable of black modules on
 * white with the four-module quiet zone the standard asks for. NULL with
 * @error when @text cannot be encoded. */
IntakeKioskQr *intake_kiosk_qr_new           (const char     *text,
                                              GError        **error);
const char    *intake_kiosk_qr_get_text      (IntakeKioskQr  *self);
/* Modules per side, without the quiet zone. */
guint          intake_kiosk_qr_get_modules   (IntakeKioskQr  *self);
gboolean       intake_kiosk_qr_is_dark       (IntakeKioskQr  *self,
                                              guint           x,
                                              guint           y);
/* Draws the code with its quiet zone as a square of @size at @x, @y (print). */
void           intake_kiosk_qr_draw          (IntakeKioskQr  *self,
                                              cairo_t        *cr,
                                              double          x,
                                              double          y,
                                              double          size);

G_END_DECLS
