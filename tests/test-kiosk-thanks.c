/* test-kiosk-thanks.c: a code that stays: countdown and "more time", read aloud, printed, photographed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real window on the real questionnaire. The reference code is the
 * resident's only proof of submission: the thank-you screen counts down
 * visibly and gives more time; it reads the code aloud on request (heard
 * through the speech engine's to-memory output); it prints it (the
 * receipt, exported by GtkPrintOperation to a PDF file, read back with
 * pdftotext and its QR code decoded with zbarimg after pdftoppm); and the
 * QR code on the screen decodes (zbarimg on a screenshot) to the code and
 * nothing else.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "intake-kiosk-qr.h"
#include "intake-kiosk-receipt.h"
#include "intake-kiosk-window-private.h"
#include "intake-random-answers.h"
#include "intake-speech.h"
#include "intake-test-util.h"
#include "test-kiosk-util.h"

#define ACT(f, name) gtk_widget_activate_action (GTK_WIDGET ((f)->window), (name), NULL)

/* Answers every question at random and sends them: the thank-you screen. */
static void
to_thanks (KioskFixture *f,
           const char   *language)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  g_autoptr(GError) error = NULL;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "kiosk.choose-language", "s", language);
  ACT (f, "kiosk.start");
  g_assert_true (intake_random_answers_fill (intake_kiosk_window_get_session (f->window), rand, &error));
  g_assert_no_error (error);
  intake_kiosk_window_show_review (f->window);
  ACT (f, "kiosk.submit");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  g_assert_nonnull (intake_kiosk_window_get_reference (f->window));
}

static const char *
countdown (KioskFixture *f)
{
  return gtk_label_get_text (f->window->thanks_countdown);
}

/* "Seconds left: N" in Dutch. */
static char *
seconds_left (KioskFixture *f,
              gint64        n)
{
  return intake_kiosk_format_numbers (intake_catalog_lookup (f->window->catalog, "nl", "Seconds left: %d"), 1, &n);
}

static char *
run (const char * const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = intake_test_run (argv, NULL, &out, &err);

  if (status != 0)
    g_error ("%s failed (%d): %s", argv[0], status, err);
  return g_steal_pointer (&out);
}

/* What zbarimg reads in @png: the QR code's text, exactly. */
static char *
decode_qr (const char *png)
{
  const char *argv[] = { "zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png, NULL };
  char *text;

  if (!g_file_test ("/usr/bin/zbarimg", G_FILE_TEST_IS_EXECUTABLE))
    g_error ("zbarimg is missing: install zbar-tools (scripts/install-deps does)");
  text = run (argv);
  return g_strstrip (text);
}

/* ---- Countdown and more time ------------------------------------------- */

static void
test_countdown (KioskFixture  *f,
                gconstpointer  data)
{
  g_autofree char *three = seconds_left (f, 3);
  g_autofree char *two = seconds_left (f, 2);

  g_object_set (f->window, "thanks-timeout", 3000, NULL);
  to_thanks (f, "nl");
  g_assert_cmpstr (countdown (f), ==, three);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (f->window->thanks_more_time)));
  kiosk_test_spin (1300);
  g_assert_cmpstr (countdown (f), ==, two);
  /* More time: the whole time again, from now. */
  ACT (f, "kiosk.more-time");
  g_assert_cmpstr (countdown (f), ==, three);
  kiosk_test_spin (1300);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  ACT (f, "kiosk.more-time");
  kiosk_test_spin (2000);
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  /* Then it closes by itself, and nothing of the code stays. */
  g_assert_true (kiosk_test_wait_screen (f, "welcome", 6000));
  g_assert_null (f->window->reference);
  g_assert_null (gtk_picture_get_paintable (f->window->thanks_qr));
  g_assert_cmpstr (gtk_label_get_text (f->window->thanks_code), ==, "");
}

/* ---- The QR code on the screen ------------------------------------------ */

static void
test_qr (KioskFixture  *f,
         gconstpointer  data)
{
  g_autofree char *dir = kiosk_test_artifacts_dir ("kiosk");
  g_autofree char *png = g_build_filename (dir, "thanks-qr.png", NULL);
  g_autofree char *decoded = NULL;
  GdkPaintable *paintable;
  const char *reference;

  to_thanks (f, "ar");
  reference = intake_kiosk_window_get_reference (f->window);
  paintable = gtk_picture_get_paintable (f->window->thanks_qr);
  g_assert_true (INTAKE_IS_KIOSK_QR (paintable));
  /* The reference code only: nothing personal. */
  g_assert_cmpstr (intake_kiosk_qr_get_text (INTAKE_KIOSK_QR (paintable)), ==, reference);
  g_assert_cmpuint (intake_kiosk_qr_get_modules (INTAKE_KIOSK_QR (paintable)), >=, 21);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (f->window->thanks_qr)));

  kiosk_test_screenshot (f, "thanks-qr");
  /* Large enough for any phone camera. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (f->window->thanks_qr)), >=, 150);
  decoded = decode_qr (png);
  g_assert_cmpstr (decoded, ==, reference);

  /* In high contrast it is still black on white, and still reads. */
  ACT (f, "kiosk.high-contrast");
  kiosk_test_screenshot (f, "thanks-qr");
  g_free (decoded);
  decoded = decode_qr (png);
  g_assert_cmpstr (decoded, ==, reference);
}

/* ---- Printed ------------------------------------------------------------- */

static gboolean
printed (gpointer data)
{
  KioskFixture *f = data;

  return gtk_widget_get_sensitive (GTK_WIDGET (f->window->thanks_print)) &&
         gtk_widget_get_visible (GTK_WIDGET (f->window->thanks_print_status));
}

static void
wait_printed (KioskFixture *f)
{
  for (guint waited = 0; waited < 30000 && !printed (f); waited += 20)
    kiosk_test_spin (20);
  g_assert_true (printed (f));
}

static void
test_print (KioskFixture  *f,
            gconstpointer  data)
{
  g_autofree char *dir = kiosk_test_artifacts_dir ("kiosk");
  g_autofree char *pdf = g_build_filename (dir, "receipt-ti.pdf", NULL);
  g_autofree char *ppm_base = g_build_filename (dir, "receipt-ti", NULL);
  g_autofree char *png = g_strconcat (ppm_base, ".png", NULL);
  g_autofree char *text = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *spaced = NULL;
  const char *reference;

  /* No printer set: no button. */
  to_thanks (f, "ti");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->thanks_print)));
  intake_kiosk_window_reset (f->window);

  g_unlink (pdf);
  g_object_set (f->window, "receipt-printer", "Receipt", "receipt-export", pdf, NULL);
  to_thanks (f, "ti");
  reference = intake_kiosk_window_get_reference (f->window);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (f->window->thanks_print)));
  ACT (f, "kiosk.print-code");
  wait_printed (f);
  g_assert_cmpstr (gtk_label_get_text (f->window->thanks_print_status), ==,
                   intake_catalog_lookup (f->window->catalog, "ti", "Your code is printed. Please take the paper."));
  kiosk_test_screenshot (f, "thanks-printed-ti");

  /* The paper: the code, the caption in Tigrinya, the hint; no answers. */
  {
    const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };

    text = run (argv);
  }
  g_test_message ("receipt: %s", text);
  g_assert_nonnull (strstr (text, reference));
  g_assert_nonnull (strstr (text, intake_catalog_lookup (f->window->catalog, "ti", "Your reference code")));
  /* And its QR code reads back as the code. */
  {
    const char *argv[] = { "pdftoppm", "-r", "300", "-png", "-singlefile", pdf, ppm_base, NULL };

    g_free (run (argv));
  }
  decoded = decode_qr (png);
  g_assert_cmpstr (decoded, ==, reference);
  (void) spaced;
}

/* A printer that is not there: the screen says so calmly, and the code stays. */
static void
test_print_fails (KioskFixture  *f,
                  gconstpointer  data)
{
  g_object_set (f->window, "receipt-export", "/nonexistent-directory/receipt.pdf", NULL);
  to_thanks (f, "nl");
  ACT (f, "kiosk.print-code");
  wait_printed (f);
  g_assert_cmpstr (gtk_label_get_text (f->window->thanks_print_status), ==,
                   "De printer werkt nu niet. Schrijf de code op of maak er een foto van.");
  g_assert_cmpstr (intake_kiosk_window_get_screen (f->window), ==, "thanks");
  g_assert_nonnull (intake_kiosk_window_get_reference (f->window));
}

/* ---- Read aloud on request ------------------------------------------------ */

static GPtrArray *spelled;

static void
spoken_cb (IntakeSpeech *speech,
           int           kind,
           const char   *lang,
           const char   *text,
           GBytes       *pcm,
           guint         rate,
           gpointer      user_data)
{
  g_assert_cmpuint (g_bytes_get_size (pcm), >, 0);
  if (kind == INTAKE_SPEECH_PART_SPELLED)
    g_ptr_array_add (spelled, g_strdup_printf ("%s:%s", lang, text));
}

static void
test_read_code (KioskFixture  *f,
                gconstpointer  data)
{
  const char *languages[] = { "nl", "ti" };

  g_assert_nonnull (f->window->speech);
  intake_speech_set_to_memory (f->window->speech, TRUE);
  g_signal_connect (f->window->speech, "spoken", G_CALLBACK (spoken_cb), NULL);
  spelled = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *expected = NULL;

      g_ptr_array_set_size (spelled, 0);
      to_thanks (f, languages[i]);
      g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (f->window->thanks_read_code)));
      /* The screen alone never says the code (no private listening) ... */
      kiosk_test_spin (200);
      g_assert_cmpuint (spelled->len, ==, 0);
      /* ... the resident's button does, spelled slowly (in English where
       * the language has no voice). */
      ACT (f, "kiosk.read-code");
      for (guint waited = 0; waited < 60000 && intake_kiosk_window_get_speaking (f->window); waited += 20)
        kiosk_test_spin (20);
      expected = g_strdup_printf ("%s:%s", g_str_equal (languages[i], "ti") ? "en" : languages[i],
                                  intake_kiosk_window_get_reference (f->window));
      g_assert_cmpuint (spelled->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (spelled, 0), ==, expected);
      intake_kiosk_window_reset (f->window);
    }
  g_clear_pointer (&spelled, g_ptr_array_unref);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  kiosk_test_init ();

#define ADD(path, func) \
  g_test_add (path, KioskFixture, NULL, kiosk_fixture_setup, func, kiosk_fixture_teardown)
  ADD ("/kiosk/thanks/countdown-more-time", test_countdown);
  ADD ("/kiosk/thanks/qr", test_qr);
  ADD ("/kiosk/thanks/print", test_print);
  ADD ("/kiosk/thanks/print-fails", test_print_fails);
  ADD ("/kiosk/thanks/read-code", test_read_code);
#undef ADD

  return g_test_run ();
}
