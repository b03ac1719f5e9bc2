/* intake-kiosk-qr.c: a QR code of the reference code, to photograph
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>

#include <qrencode.h>

#include "intake-kiosk-qr.h"

/* The quiet zone of ISO/IEC 18004: four modules of white around the code. */
#define QUIET 4

struct _IntakeKioskQr
{
  GObject  parent_instance;

  char    *text;
  guint    modules;
  guint8  *dark;      /* modules * modules, 1 = dark */
};

static void intake_kiosk_qr_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (IntakeKioskQr, intake_kiosk_qr, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, intake_kiosk_qr_paintable_init))

static void
snapshot (GdkPaintable *paintable,
          GdkSnapshot  *snapshot,
          double        width,
          double        height)
{
  IntakeKioskQr *self = INTAKE_KIOSK_QR (paintable);
  double side = MIN (width, height);
  guint total = self->modules + 2 * QUIET;
  /* Whole pixels per module, so that no module blurs into the next. */
  double module = MAX (1.0, floor (side / total));
  double size = module * total;
  double origin_x = floor ((width - size) / 2);
  double origin_y = floor ((height - size) / 2);
  cairo_t *cr;

  /* One cairo fill for all modules: rectangles of their own would show
   * seams between neighbours wherever the scale is not whole. */
  cr = gtk_snapshot_append_cairo (GTK_SNAPSHOT (snapshot),
                                  &GRAPHENE_RECT_INIT (origin_x, origin_y, size, size));
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  intake_kiosk_qr_draw (self, cr, origin_x, origin_y, size);
  cairo_destroy (cr);
}

static GdkPaintableFlags
get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_CONTENTS | GDK_PAINTABLE_STATIC_SIZE;
}

static int
get_intrinsic_size (GdkPaintable *paintable)
{
  IntakeKioskQr *self = INTAKE_KIOSK_QR (paintable);

  /* Six pixels a module on screen: large enough for any phone camera. */
  return (self->modules + 2 * QUIET) * 6;
}

static void
intake_kiosk_qr_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = snapshot;
  iface->get_flags = get_flags;
  iface->get_intrinsic_width = get_intrinsic_size;
  iface->get_intrinsic_height = get_intrinsic_size;
}

static void
intake_kiosk_qr_finalize (GObject *object)
{
  IntakeKioskQr *self = INTAKE_KIOSK_QR (object);

  g_free (self->text);
  g_free (self->dark);

  G_OBJECT_CLASS (intake_kiosk_qr_parent_class)->finalize (object);
}

static void
intake_kiosk_qr_class_init (IntakeKioskQrClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = intake_kiosk_qr_finalize;
}

static void
intake_kiosk_qr_init (IntakeKioskQr *self)
{
}

IntakeKioskQr *
intake_kiosk_qr_new (const char  *text,
                     GError     **error)
{
  g_autoptr(IntakeKioskQr) self = NULL;
  QRcode *code;

  g_return_val_if_fail (text != NULL && *text != '\0', NULL);

  /* Case-sensitive 8-bit, so that the photo reads exactly the code shown. */
  code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot make a QR code of the reference: %s",
                   g_strerror (errno));
      return NULL;
    }
  self = g_object_new (INTAKE_TYPE_KIOSK_QR, NULL);
  self->text = g_strdup (text);
  self->modules = code->width;
  self->dark = g_new (guint8, (gsize) code->width * code->width);
  for (int i = 0; i < code->width * code->width; i++)
    self->dark[i] = code->data[i] & 1;
  QRcode_free (code);
  return g_steal_pointer (&self);
}

const char *
intake_kiosk_qr_get_text (IntakeKioskQr *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_QR (self), NULL);
  return self->text;
}

guint
intake_kiosk_qr_get_modules (IntakeKioskQr *self)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_QR (self), 0);
  return self->modules;
}

gboolean
intake_kiosk_qr_is_dark (IntakeKioskQr *self,
                         guint          x,
                         guint          y)
{
  g_return_val_if_fail (INTAKE_IS_KIOSK_QR (self), FALSE);
  g_return_val_if_fail (x < self->modules && y < self->modules, FALSE);
  return self->dark[y * self->modules + x];
}

void
intake_kiosk_qr_draw (IntakeKioskQr *self,
                      cairo_t       *cr,
                      double         x,
                      double         y,
                      double         size)
{
  guint total;
  double module;

  g_return_if_fail (INTAKE_IS_KIOSK_QR (self));

  total = self->modules + 2 * QUIET;
  module = size / total;
  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x, y, size, size);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint j = 0; j < self->modules; j++)
    for (guint i = 0; i < self->modules; i++)
      if (self->dark[j * self->modules + i])
        cairo_rectangle (cr, x + (i + QUIET) * module, y + (j + QUIET) * module, module, module);
  cairo_fill (cr);
  cairo_restore (cr);
}
