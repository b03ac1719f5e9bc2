/* intake-kiosk-tour.c: a screenshot of every screen, for review by people
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "intake-kiosk-tour.h"
#include "intake-kiosk-window-private.h"
#include "intake-random-answers.h"

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *count)
{
  (*count)++;
}

static gboolean
timeout_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
intake_kiosk_wait_for_frames (GtkWidget *widget,
                              guint      n_frames)
{
  GdkFrameClock *clock;
  gboolean timed_out = FALSE;
  guint count = 0;
  gulong handler;
  guint timeout;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* Layout and style first, then painted frames. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    return;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &count);
  timeout = g_timeout_add (2000, timeout_flag_cb, &timed_out);
  while (count < n_frames && !timed_out)
    {
      gtk_widget_queue_draw (widget);
      g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (clock, handler);
  if (!timed_out)
    g_source_remove (timeout);
}

gboolean
intake_kiosk_save_screenshot (GtkWidget   *widget,
                              const char  *path,
                              GError     **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  intake_kiosk_wait_for_frames (widget, 2);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  if (width <= 0 || height <= 0 || renderer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot take a screenshot: the window is not shown");
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot take a screenshot: nothing drawn");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  IntakeKioskWindow *window;
  const char        *out_dir;
  GPtrArray         *out_paths;
  IntakeKioskTourFunc callback;
  gpointer           user_data;
  guint              n;
} Tour;

static gboolean
shoot (Tour        *tour,
       const char  *name,
       GError     **error)
{
  g_autofree char *file = g_strdup_printf ("%02u-%s.png", ++tour->n, name);
  g_autofree char *path = g_build_filename (tour->out_dir, file, NULL);

  if (!intake_kiosk_save_screenshot (GTK_WIDGET (tour->window), path, error))
    return FALSE;
  if (tour->out_paths != NULL)
    g_ptr_array_add (tour->out_paths, g_steal_pointer (&path));
  if (tour->callback != NULL)
    tour->callback (tour->window, name, tour->user_data);
  return TRUE;
}

static gboolean
expect_screen (Tour        *tour,
               const char  *screen,
               GError     **error)
{
  const char *actual = intake_kiosk_window_get_screen (tour->window);

  if (g_str_equal (actual, screen))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "tour: expected the %s screen, the window shows %s", screen, actual);
  return FALSE;
}

/* An answer that tends to open conditional questions, so the walk meets
 * more question types: "yes" for yes/no, a random valid one otherwise. */
static IntakeAnswer *
tour_answer (IntakeSession        *session,
             const IntakeQuestion *question,
             GRand                *rand)
{
  if (question->type == INTAKE_QUESTION_TYPE_YES_NO)
    return intake_answer_new_boolean (TRUE);
  return intake_random_answer_new (session, question, rand);
}

gboolean
intake_kiosk_tour_run (IntakeKioskWindow  *window,
                       const char         *language,
                       const char         *out_dir,
                       GPtrArray          *out_paths,
                       IntakeKioskTourFunc callback,
                       gpointer            user_data,
                       GError            **error)
{
  GtkWidget *widget = GTK_WIDGET (window);
  Tour tour = { window, out_dir, out_paths, callback, user_data, 0 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  gboolean shot_type[INTAKE_QUESTION_TYPE_LADDER + 1] = { FALSE, };
  IntakeQuestionnaire *questionnaire;
  guint guard;

  g_return_val_if_fail (INTAKE_IS_KIOSK_WINDOW (window), FALSE);
  g_return_val_if_fail (language != NULL && out_dir != NULL, FALSE);

  questionnaire = intake_kiosk_get_questionnaire (window->kiosk);
  if (intake_questionnaire_lookup_language (questionnaire, language) == NULL)
    {
      g_set_error (error, INTAKE_KIOSK_ERROR, INTAKE_KIOSK_ERROR_UNKNOWN_LANGUAGE,
                   "the questionnaire %s has no language \"%s\"",
                   intake_questionnaire_get_id (questionnaire), language);
      return FALSE;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", out_dir);
      return FALSE;
    }

  gtk_window_present (GTK_WINDOW (window));
  intake_kiosk_window_reset (window);

  if (!shoot (&tour, "welcome", error))
    return FALSE;

  gtk_widget_activate_action (widget, "kiosk.choose-language", "s", language);
  if (!expect_screen (&tour, "explanation", error) || !shoot (&tour, "explanation", error))
    return FALSE;

  gtk_widget_activate_action (widget, "kiosk.start", NULL);
  for (guard = 0; guard < 4 * intake_questionnaire_get_n_questions (questionnaire) + 4; guard++)
    {
      const IntakeQuestion *question;
      IntakeAnswer *answer;

      if (!g_str_equal (intake_kiosk_window_get_screen (window), "question"))
        break;
      question = intake_session_get_current (window->session);
      if (!shot_type[question->type])
        {
          g_autofree char *name = g_strdup_printf ("question-%s",
                                                   intake_question_type_to_string (question->type));

          shot_type[question->type] = TRUE;
          if (!shoot (&tour, name, error))
            return FALSE;
        }

      answer = tour_answer (window->session, question, rand);
      if (!intake_session_set_answer (window->session, question->code, answer, NULL))
        intake_session_skip (window->session, question->code, NULL);
      if (intake_session_go_next (window->session))
        intake_kiosk_window_show_question_now (window);
      else
        intake_kiosk_window_show_review (window);
    }

  if (!expect_screen (&tour, "review", error) || !shoot (&tour, "review", error))
    return FALSE;

  gtk_widget_activate_action (widget, "kiosk.submit", NULL);
  if (!expect_screen (&tour, "thanks", error) || !shoot (&tour, "thanks", error))
    return FALSE;

  /* The receipt, as the printer would get it: a PDF beside the screenshots. */
  {
    g_autofree char *pdf = g_build_filename (out_dir, "receipt.pdf", NULL);
    gboolean timed_out = FALSE;
    guint timeout;

    g_object_set (window, "receipt-export", pdf, NULL);
    gtk_widget_activate_action (widget, "kiosk.print-code", NULL);
    /* Printed once the button is there again. */
    timeout = g_timeout_add (30000, timeout_flag_cb, &timed_out);
    while (!gtk_widget_get_sensitive (GTK_WIDGET (window->thanks_print)) && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
      g_source_remove (timeout);
    if (!shoot (&tour, "thanks-printed", error))
      return FALSE;
    if (out_paths != NULL)
      g_ptr_array_add (out_paths, g_steal_pointer (&pdf));
    g_object_set (window, "receipt-export", NULL, NULL);
  }
  intake_kiosk_window_reset (window);

  /* A new session to stand behind the idle warning and the help screen. */
  gtk_widget_activate_action (widget, "kiosk.choose-language", "s", language);
  gtk_widget_activate_action (widget, "kiosk.start", NULL);

  /* The first question at twice the text size: the column widens with it. */
  gtk_widget_activate_action (widget, "kiosk.text-size", NULL);
  gtk_widget_activate_action (widget, "kiosk.text-size", NULL);
  if (!expect_screen (&tour, "question", error) || !shoot (&tour, "question-text-2x", error))
    return FALSE;
  gtk_widget_activate_action (widget, "kiosk.text-size", NULL);

  /* A birth date as refugees are often registered: 00-00-1985. */
  for (guard = 0; guard < intake_questionnaire_get_n_questions (questionnaire); guard++)
    {
      const IntakeQuestion *question = intake_session_get_current (window->session);

      if (question->type == INTAKE_QUESTION_TYPE_DATE && question->allow_unknown)
        {
          intake_session_set_answer (window->session, question->code,
                                     intake_answer_new_date ("1985-00-00"), NULL);
          intake_kiosk_window_show_question_now (window);
          if (!shoot (&tour, "question-date-unknown", error))
            return FALSE;
          break;
        }
      if (!intake_session_set_answer (window->session, question->code,
                                      tour_answer (window->session, question, rand), NULL))
        intake_session_skip (window->session, question->code, NULL);
      if (!intake_session_go_next (window->session))
        break;
      intake_kiosk_window_show_question_now (window);
    }

  gtk_widget_activate_action (widget, "kiosk.stop", NULL);
  if (!expect_screen (&tour, "confirm-stop", error) || !shoot (&tour, "confirm-stop", error))
    return FALSE;
  gtk_widget_activate_action (widget, "kiosk.resume", NULL);

  intake_kiosk_window_show_idle_warning (window);
  if (!expect_screen (&tour, "idle", error) || !shoot (&tour, "idle-warning", error))
    return FALSE;
  gtk_widget_activate_action (widget, "kiosk.resume", NULL);

  gtk_widget_activate_action (widget, "kiosk.help", NULL);
  if (!expect_screen (&tour, "help", error) || !shoot (&tour, "help", error))
    return FALSE;
  gtk_widget_activate_action (widget, "kiosk.help-done", NULL);

  intake_kiosk_window_show_storage_error (window);
  if (!expect_screen (&tour, "storage-error", error) || !shoot (&tour, "storage-error", error))
    return FALSE;
  intake_kiosk_window_reset (window);

  gtk_widget_activate_action (widget, "kiosk.staff", NULL);
  if (!expect_screen (&tour, "staff-pin", error) || !shoot (&tour, "staff-pin", error))
    return FALSE;

  /* The tour skips the PIN: it only looks. */
  intake_kiosk_window_reset (window);
  intake_kiosk_window_show_staff (window);
  if (!expect_screen (&tour, "staff", error) || !shoot (&tour, "staff", error))
    return FALSE;

  intake_kiosk_window_reset (window);
  return TRUE;
}
