/* test-speech.c: read-aloud voices and synthesis, without any audio device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

#include "intake-questionnaire.h"
#include "intake-speech.h"

/* A word that appears in spoken texts only: it must never reach the log. */
#define CANARY "Zwaluwstaart"

static GPtrArray *logged;   /* every message logged, debug included */

static GLogWriterOutput
record_writer (GLogLevelFlags   log_level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].value != NULL)
      g_ptr_array_add (logged, fields[i].length < 0 ? g_strdup (fields[i].value)
                                                    : g_strndup (fields[i].value, (gsize) fields[i].length));
  /* Debug messages are only recorded: they were enabled for the check. */
  if ((log_level & G_LOG_LEVEL_DEBUG) != 0)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
assert_canary_never_logged (void)
{
  for (guint i = 0; i < logged->len; i++)
    g_assert_null (strstr (g_ptr_array_index (logged, i), CANARY));
}

static IntakeSpeech *
new_speech (void)
{
  g_autoptr(GError) error = NULL;
  IntakeSpeech *speech = intake_speech_new (&error);

  g_assert_no_error (error);
  g_assert_true (INTAKE_IS_SPEECH (speech));
  return speech;
}

typedef struct
{
  const char *lang;
  const char *short_text;
  const char *long_text;
} Sample;

/* A greeting, then the greeting and a sentence like the kiosk's. */
static const Sample samples[] = {
  { "nl", "Goedemorgen.",
    "Goedemorgen. Wij stellen u een paar vragen over werk, gezondheid en wat u graag doet." },
  { "en", "Good morning.",
    "Good morning. We would like to ask you a few questions about work, health and what you like to do." },
  { "ar", "صباح الخير.",
    "صباح الخير. نود أن نطرح عليكم بعض الأسئلة عن العمل والصحة وما تحبون أن تفعلوه." },
  { "tr", "Günaydın.",
    "Günaydın. Size iş, sağlık ve yapmaktan hoşlandığınız şeyler hakkında birkaç soru sormak istiyoruz." },
  { "fa", "صبح بخیر.",
    "صبح بخیر. می‌خواهیم چند سؤال درباره کار، سلامت و کارهایی که دوست دارید از شما بپرسیم." },
  { "uk", "Доброго ранку.",
    "Доброго ранку. Ми хочемо поставити Вам кілька запитань про роботу, здоров'я і те, що Ви любите робити." },
  { "pl", "Dzień dobry.",
    "Dzień dobry. Chcemy zadać kilka pytań o pracę, zdrowie i o to, co lubi Pan lub Pani robić." },
};

static double
rms_of (GBytes *pcm)
{
  gsize size;
  const gint16 *s = g_bytes_get_data (pcm, &size);
  gsize n = size / sizeof (gint16);
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += (double) s[i] * (double) s[i];
  return n > 0 ? sqrt (sum / (double) n) : 0;
}

static void
test_new_destroy (void)
{
  IntakeSpeech *speech = new_speech ();

  g_assert_false (intake_speech_get_speaking (speech));
  g_assert_finalize_object (speech);
}

static void
test_synthesize (gconstpointer data)
{
  const Sample *sample = data;
  g_autoptr(IntakeSpeech) speech = new_speech ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) short_pcm = NULL;
  g_autoptr(GBytes) long_pcm = NULL;
  guint rate = 0;
  double short_seconds, long_seconds, rms;

  g_assert_true (intake_speech_has_language (speech, sample->lang));

  short_pcm = intake_speech_synthesize (speech, sample->lang, sample->short_text, &rate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (short_pcm);
  g_assert_cmpuint (rate, >=, 8000);
  g_assert_cmpuint (rate, <=, 48000);
  g_assert_cmpuint (g_bytes_get_size (short_pcm) % sizeof (gint16), ==, 0);

  long_pcm = intake_speech_synthesize (speech, sample->lang, sample->long_text, &rate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (long_pcm);

  short_seconds = (double) g_bytes_get_size (short_pcm) / sizeof (gint16) / rate;
  long_seconds = (double) g_bytes_get_size (long_pcm) / sizeof (gint16) / rate;
  g_test_message ("%s: %.2f s and %.2f s at %u Hz, RMS %.0f", sample->lang,
                  short_seconds, long_seconds, rate, rms_of (long_pcm));

  /* A greeting takes a fraction of a second to a few seconds; the
   * sentence clearly longer (it is five to ten times the text). */
  g_assert_cmpfloat (short_seconds, >, 0.3);
  g_assert_cmpfloat (short_seconds, <, 5.0);
  g_assert_cmpfloat (long_seconds, >, 2.5 * short_seconds);
  g_assert_cmpfloat (long_seconds, <, 30.0);

  /* Real speech, not silence or a click: 16-bit speech from eSpeak NG
   * has an RMS in the thousands. */
  rms = rms_of (short_pcm);
  g_assert_cmpfloat (rms, >, 500.0);
  rms = rms_of (long_pcm);
  g_assert_cmpfloat (rms, >, 500.0);
}

static void
test_unknown_language (void)
{
  g_autoptr(IntakeSpeech) speech = new_speech ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pcm = NULL;

  g_assert_false (intake_speech_has_language (speech, "xx"));
  g_assert_false (intake_speech_has_language (speech, ""));
  pcm = intake_speech_synthesize (speech, "xx", "Hello", NULL, &error);
  g_assert_error (error, INTAKE_SPEECH_ERROR, INTAKE_SPEECH_ERROR_NO_VOICE);
  g_assert_null (pcm);

  g_assert_false (intake_speech_speak (speech, "xx", "Hello"));
  g_assert_false (intake_speech_get_speaking (speech));
}

/* Whether the eSpeak NG data holds a voice file named @lang (lang/<family>/<lang>). */
static gboolean
data_has_voice_file (const char *dir,
                     const char *lang)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (data_has_voice_file (path, lang))
            return TRUE;
        }
      else if (g_ascii_strcasecmp (name, lang) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_tigrinya (void)
{
  g_autoptr(IntakeSpeech) speech = new_speech ();
  const char *data_path = NULL;
  g_autofree char *lang_dir = NULL;
  gboolean has_ti;

  espeak_Info (&data_path);
  g_assert_nonnull (data_path);
  lang_dir = g_build_filename (data_path, "lang", NULL);
  /* The check itself works: Dutch is found, an invented code is not. */
  g_assert_true (data_has_voice_file (lang_dir, "nl"));
  g_assert_false (data_has_voice_file (lang_dir, "xx"));

  has_ti = data_has_voice_file (lang_dir, "ti");
  g_test_message ("eSpeak NG data in %s %s a Tigrinya voice", data_path,
                  has_ti ? "has" : "does not have");
  g_assert_cmpint (intake_speech_has_language (speech, "ti"), ==, has_ti);
  /* eSpeak NG 1.51 (Debian 12) has none; docs/kiosk.md names the gap.
   * Amharic (same script, different language) must not stand in for it. */
  if (!has_ti)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) pcm = intake_speech_synthesize (speech, "ti", "ሰላም", NULL, &error);

      g_assert_error (error, INTAKE_SPEECH_ERROR, INTAKE_SPEECH_ERROR_NO_VOICE);
      g_assert_null (pcm);
    }
}

static void
test_language_variants (void)
{
  g_autoptr(IntakeSpeech) speech = new_speech ();

  g_assert_true (intake_speech_has_language (speech, "NL"));
  g_assert_true (intake_speech_has_language (speech, "fa-AF"));
  g_assert_true (intake_speech_has_language (speech, "en_GB"));
}

static void
speaking_changed_cb (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  guint *n = user_data;

  (*n)++;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Speaking never blocks: speak() returns at once with "speaking" TRUE, and
 * with or without an audio device "speaking" becomes FALSE by itself. */
static void
test_speak_ends (void)
{
  g_autoptr(IntakeSpeech) speech = new_speech ();
  gboolean timed_out = FALSE;
  guint notifies = 0;
  guint timeout;
  gint64 start;

  g_signal_connect (speech, "notify::speaking", G_CALLBACK (speaking_changed_cb), &notifies);
  start = g_get_monotonic_time ();
  g_assert_true (intake_speech_speak (speech, "nl", "Ja. " CANARY "."));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  g_assert_true (intake_speech_get_speaking (speech));
  g_assert_cmpuint (notifies, ==, 1);

  timeout = g_timeout_add_seconds (20, timeout_cb, &timed_out);
  while (intake_speech_get_speaking (speech) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_assert_false (intake_speech_get_speaking (speech));
  g_assert_cmpuint (notifies, ==, 2);
  assert_canary_never_logged ();
}

static void
test_speak_stop (void)
{
  IntakeSpeech *speech = new_speech ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) pcm = NULL;
  guint notifies = 0;

  g_signal_connect (speech, "notify::speaking", G_CALLBACK (speaking_changed_cb), &notifies);
  g_assert_true (intake_speech_speak (speech, "en", "A long text to stop. " CANARY ". One, two, three, four, five, six, seven, eight, nine, ten."));
  g_assert_true (intake_speech_get_speaking (speech));
  intake_speech_stop (speech);
  g_assert_false (intake_speech_get_speaking (speech));
  g_assert_cmpuint (notifies, ==, 2);

  /* A new text replaces the old one; the old one's end changes nothing. */
  g_assert_true (intake_speech_speak (speech, "pl", "Dzień dobry."));
  g_assert_true (intake_speech_speak (speech, "uk", "Доброго ранку."));
  g_assert_true (intake_speech_get_speaking (speech));

  /* Synthesis still works while speaking (it waits for the synthesizer). */
  pcm = intake_speech_synthesize (speech, "tr", "Günaydın. " CANARY ".", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pcm);

  /* Stop by dropping the object: a thread still running must not touch it. */
  g_signal_handlers_disconnect_by_data (speech, &notifies);
  g_assert_finalize_object (speech);
  {
    gboolean timed_out = FALSE;
    guint timeout = g_timeout_add (500, timeout_cb, &timed_out);

    while (!timed_out)
      g_main_context_iteration (NULL, TRUE);
    (void) timeout;
  }
  assert_canary_never_logged ();
}


/* ---- Scripts, played to memory ----------------------------------------- */

typedef struct
{
  IntakeSpeechPartKind  kind;
  char                 *lang;
  char                 *text;
  GBytes               *pcm;
  guint                 rate;
} Heard;

static void
heard_free (Heard *heard)
{
  g_free (heard->lang);
  g_free (heard->text);
  g_bytes_unref (heard->pcm);
  g_free (heard);
}

static void
spoken_cb (IntakeSpeech *speech,
           int           kind,
           const char   *lang,
           const char   *text,
           GBytes       *pcm,
           guint         rate,
           GPtrArray    *heard)
{
  Heard *h = g_new0 (Heard, 1);

  h->kind = kind;
  h->lang = g_strdup (lang);
  h->text = g_strdup (text);
  h->pcm = g_bytes_ref (pcm);
  h->rate = rate;
  g_ptr_array_add (heard, h);
}

static void
wait_not_speaking (IntakeSpeech *speech)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (30, timeout_cb, &timed_out);

  while (intake_speech_get_speaking (speech) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
}

static GBytes *
load_recording (void)
{
  const char *path = g_getenv ("INTAKE_TEST_RECORDING");
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length;

  g_assert_nonnull (path);
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static void
test_script (void)
{
  g_autoptr(IntakeSpeech) speech = new_speech ();
  g_autoptr(GPtrArray) heard = g_ptr_array_new_with_free_func ((GDestroyNotify) heard_free);
  g_autoptr(GBytes) recording = load_recording ();
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GError) error = NULL;
  IntakeSpeechScript *script;
  IntakeAudioInfo info;
  Heard *h;

  intake_speech_set_to_memory (speech, TRUE);
  g_signal_connect (speech, "spoken", G_CALLBACK (spoken_cb), heard);

  script = intake_speech_script_new ();
  intake_speech_script_add_text (script, "nl", "Uw referentiecode.");
  intake_speech_script_add_spelled (script, "nl", "ACEF-HJ" CANARY);
  /* Tigrinya: no voice, so its text is left out; its recording is played. */
  intake_speech_script_add_text (script, "ti", "ሽምኩም እንታይ እዩ?");
  intake_speech_script_add_recording (script, "ti", "ሽምኩም እንታይ እዩ?", recording);
  g_assert_cmpuint (intake_speech_script_get_n_parts (script), ==, 4);
  g_assert_true (intake_speech_play (speech, script));
  g_assert_true (intake_speech_get_speaking (speech));
  g_assert_cmpuint (heard->len, ==, 0);
  wait_not_speaking (speech);

  g_assert_cmpuint (heard->len, ==, 3);
  h = g_ptr_array_index (heard, 0);
  g_assert_cmpint (h->kind, ==, INTAKE_SPEECH_PART_TEXT);
  g_assert_cmpstr (h->lang, ==, "nl");
  g_assert_cmpuint (h->rate, >, 0);
  g_assert_cmpfloat (rms_of (h->pcm), >, 100.0);

  /* The code, slowly, character by character, twice: far longer than the
   * same characters spoken as a word. */
  h = g_ptr_array_index (heard, 1);
  g_assert_cmpint (h->kind, ==, INTAKE_SPEECH_PART_SPELLED);
  plain = intake_speech_synthesize (speech, "nl", "ACEF-HJ" CANARY, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("code spelled: %" G_GSIZE_FORMAT " samples, said as a word: %" G_GSIZE_FORMAT,
                  g_bytes_get_size (h->pcm) / 2, g_bytes_get_size (plain) / 2);
  g_assert_cmpuint (g_bytes_get_size (h->pcm), >, 3 * g_bytes_get_size (plain));

  /* The recording, sample for sample, at its own rate. */
  h = g_ptr_array_index (heard, 2);
  g_assert_cmpint (h->kind, ==, INTAKE_SPEECH_PART_RECORDING);
  g_assert_cmpstr (h->lang, ==, "ti");
  g_assert_true (intake_audio_check_wav (recording, &info, NULL));
  g_assert_cmpuint (h->rate, ==, info.rate);
  g_assert_cmpmem (g_bytes_get_data (h->pcm, NULL), info.n_samples * 2,
                   (const guint8 *) g_bytes_get_data (recording, NULL) + info.data_offset, info.n_samples * 2);

  /* Nothing playable: no voice, no recording. */
  script = intake_speech_script_new ();
  intake_speech_script_add_text (script, "ti", "ሰላም");
  g_assert_false (intake_speech_play (speech, script));
  g_assert_false (intake_speech_get_speaking (speech));

  /* A stopped script is not handed over. */
  g_ptr_array_set_size (heard, 0);
  script = intake_speech_script_new ();
  intake_speech_script_add_text (script, "en", "One, two, three, four, five, six, seven, eight, nine, ten.");
  g_assert_true (intake_speech_play (speech, script));
  intake_speech_stop (speech);
  {
    gboolean timed_out = FALSE;

    g_timeout_add (300, timeout_cb, &timed_out);
    while (!timed_out)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (heard->len, ==, 0);
  assert_canary_never_logged ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  logged = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (record_writer, NULL, NULL);
  g_log_set_debug_enabled (TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/speech/new-destroy", test_new_destroy);
  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *path = g_strdup_printf ("/speech/synthesize/%s", samples[i].lang);

      g_test_add_data_func (path, &samples[i], test_synthesize);
    }
  g_test_add_func ("/speech/unknown-language", test_unknown_language);
  g_test_add_func ("/speech/tigrinya", test_tigrinya);
  g_test_add_func ("/speech/language-variants", test_language_variants);
  g_test_add_func ("/speech/speak-ends", test_speak_ends);
  g_test_add_func ("/speech/speak-stop", test_speak_stop);
  g_test_add_func ("/speech/script", test_script);

  ret = g_test_run ();
  g_ptr_array_unref (logged);
  return ret;
}
