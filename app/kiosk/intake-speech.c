/* intake-speech.c: read-aloud over eSpeak NG, played through pcaudiolib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * eSpeak NG is one process-wide synthesizer and not thread-safe, so it is
 * started once in synchronous mode and every call into it holds
 * espeak_lock. Synthesis hands 16-bit samples to one callback; a Sink says
 * where they go: into a buffer (intake_speech_synthesize) or to the audio
 * device (speaking, in a thread of its own).
 *
 * Playback uses pcaudiolib, the audio layer eSpeak NG itself is built on:
 * PulseAudio (so PipeWire too) when a server runs, else plain ALSA, so a
 * kiosk needs no extra daemon. No audio device is normal in CI and under
 * Xvfb: speaking then ends with a g_debug, never a warning.
 *
 * Privacy: the text is never logged. Debug messages name the language only.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <string.h>

#include <espeak-ng/espeak_ng.h>
#include <pcaudiolib/audio.h>

#include "intake-secure.h"
#include "intake-speech.h"

/* Longer texts are cut: a screen never holds this much, and it bounds the
 * time a synthesis can hold the lock. */
#define MAX_TEXT_BYTES (64 * 1024)

G_DEFINE_QUARK (intake-speech-error-quark, intake_speech_error)

/* ---- The process-wide synthesizer ------------------------------------- */

typedef gboolean (*SinkFunc) (const short *samples,
                              int          n_samples,
                              gpointer     user_data);

typedef struct
{
  SinkFunc  func;
  gpointer  user_data;
  gint     *cancelled;   /* atomic; nullable */
} Sink;


static GMutex espeak_lock;
/* One playback at a time: ALSA's global configuration (which pcaudiolib
 * opens) is not thread-safe, and a new read-aloud can start while the
 * previous thread still closes its device. Taken before espeak_lock. */
static GMutex playback_lock;
static espeak_ng_STATUS espeak_status = ENS_OK;
static int espeak_rate;
/* Kiosk language code -> eSpeak NG voice identifier ("gmw/nl"). */
static GHashTable *espeak_voices;

static int
synth_cb (short        *wav,
          int           n_samples,
          espeak_EVENT *events)
{
  Sink *sink = events != NULL ? events->user_data : NULL;

  if (sink == NULL)
    return 0;
  if (sink->cancelled != NULL && g_atomic_int_get (sink->cancelled))
    return 1;
  /* NULL marks the end of the synthesis. */
  if (wav == NULL || n_samples <= 0)
    return 0;
  return sink->func (wav, n_samples, sink->user_data) ? 0 : 1;
}

/* ALSA prints its configuration errors (no sound card) on stderr; they are
 * normal on a kiosk without audio and in CI, so they go to g_debug. The
 * handler is looked up at run time: libasound is loaded by pcaudiolib, and
 * the kiosk need not link ALSA itself. */
typedef void (*AlsaErrorHandler) (const char *file, int line, const char *function,
                                  int err, const char *fmt, ...);

static void
alsa_error_cb (const char *file,
               int         line,
               const char *function,
               int         err,
               const char *fmt,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_debug ("ALSA: %s (%s)", message, function != NULL ? function : "?");
}

static void
quiet_alsa (void)
{
  int (*set_handler) (AlsaErrorHandler) = NULL;

  *(void **) &set_handler = dlsym (RTLD_DEFAULT, "snd_lib_error_set_handler");
  if (set_handler != NULL)
    set_handler (alsa_error_cb);
}

/* The best voice per language: the lowest priority number among voices
 * that list the language exactly. MBROLA voices need extra data files and
 * are left out. */
static void
index_voices (void)
{
  g_autoptr(GHashTable) priorities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const espeak_VOICE **voices = espeak_ListVoices (NULL);

  espeak_voices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; voices != NULL && voices[i] != NULL; i++)
    {
      const espeak_VOICE *voice = voices[i];
      const char *p = voice->languages;

      if (voice->identifier == NULL || g_str_has_prefix (voice->identifier, "mb/"))
        continue;
      while (p != NULL && *p != '\0')
        {
          int priority = (unsigned char) *p++;
          g_autofree char *code = g_ascii_strdown (p, -1);
          gpointer old;

          p += strlen (p) + 1;
          if (g_hash_table_lookup_extended (priorities, code, NULL, &old) &&
              GPOINTER_TO_INT (old) <= priority)
            continue;
          g_hash_table_insert (espeak_voices, g_strdup (code), g_strdup (voice->identifier));
          g_hash_table_insert (priorities, g_steal_pointer (&code), GINT_TO_POINTER (priority));
        }
    }
}

static gpointer
init_espeak (gpointer data)
{
  espeak_ng_ERROR_CONTEXT context = NULL;

  quiet_alsa ();
  espeak_ng_InitializePath (NULL);
  espeak_status = espeak_ng_Initialize (&context);
  if (espeak_status == ENS_OK)
    espeak_status = espeak_ng_InitializeOutput (ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
  if (context != NULL)
    espeak_ng_ClearErrorContext (&context);
  if (espeak_status != ENS_OK)
    return NULL;

  espeak_rate = espeak_ng_GetSampleRate ();
  espeak_SetSynthCallback (synth_cb);
  index_voices ();
  g_debug ("eSpeak NG ready: %u languages at %d Hz",
           g_hash_table_size (espeak_voices), espeak_rate);
  return NULL;
}

static char *
status_message (espeak_ng_STATUS status)
{
  char buffer[512] = "";

  espeak_ng_GetStatusCodeMessage (status, buffer, sizeof buffer);
  return g_strdup (buffer);
}

static gboolean
engine_start (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_espeak, NULL);
  if (espeak_status != ENS_OK)
    {
      g_autofree char *message = status_message (espeak_status);

      g_set_error (error, INTAKE_SPEECH_ERROR, INTAKE_SPEECH_ERROR_INIT,
                   "Speech output could not start: %s. Install the espeak-ng-data package.",
                   message);
      return FALSE;
    }
  return TRUE;
}

static const char *
lookup_voice (const char *lang)
{
  g_autofree char *code = NULL;
  const char *voice;
  char *dash;

  if (lang == NULL || espeak_voices == NULL)
    return NULL;
  code = g_ascii_strdown (lang, -1);
  g_strdelimit (code, "_", '-');
  voice = g_hash_table_lookup (espeak_voices, code);
  /* "fa-AF" falls back to "fa"; "@" modifiers are dropped. */
  if (voice == NULL && ((dash = strchr (code, '-')) != NULL || (dash = strchr (code, '@')) != NULL))
    {
      *dash = '\0';
      voice = g_hash_table_lookup (espeak_voices, code);
    }
  return voice;
}

/* Synthesizes @text with @voice into @sink. Holds espeak_lock throughout. */
static gboolean
synthesize_locked (const char  *voice,
                   const char  *text,
                   Sink        *sink,
                   GError     **error)
{
  espeak_ng_STATUS status;
  g_autofree char *cut = NULL;
  gsize length = strlen (text);

  if (length > MAX_TEXT_BYTES)
    {
      const char *end = text + MAX_TEXT_BYTES;

      /* Cut on a character boundary. */
      end = g_utf8_find_prev_char (text, end + 1);
      cut = g_strndup (text, end - text);
      text = cut;
      length = strlen (text);
    }

  g_mutex_lock (&espeak_lock);
  status = espeak_ng_SetVoiceByName (voice);
  if (status == ENS_OK)
    status = espeak_ng_Synthesize (text, length + 1, 0, POS_CHARACTER, 0,
                                   espeakCHARS_UTF8, NULL, sink);
  g_mutex_unlock (&espeak_lock);

  if (status != ENS_OK)
    {
      g_autofree char *message = status_message (status);

      g_set_error (error, INTAKE_SPEECH_ERROR, INTAKE_SPEECH_ERROR_SYNTHESIS,
                   "eSpeak NG could not speak with voice %s: %s", voice, message);
      return FALSE;
    }
  return TRUE;
}


/* ---- Speaking in a thread --------------------------------------------- */

typedef struct
{
  GWeakRef      speech;
  GMainContext *context;
  char         *voice;
  char         *text;
  char         *lang;
  gint          cancelled;   /* atomic */
} Job;

static void
job_clear (gpointer data)
{
  Job *job = data;

  g_weak_ref_clear (&job->speech);
  g_main_context_unref (job->context);
  g_free (job->voice);
  g_free (job->lang);
  intake_secure_strfree (job->text);
}

static Job *
job_ref (Job *job)
{
  return g_atomic_rc_box_acquire (job);
}

static void
job_unref (gpointer job)
{
  g_atomic_rc_box_release_full (job, job_clear);
}

struct _IntakeSpeech
{
  GObject  parent_instance;

  Job     *job;        /* what is being spoken, or NULL */
  gboolean speaking;
};

G_DEFINE_FINAL_TYPE (IntakeSpeech, intake_speech, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SPEAKING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_speaking (IntakeSpeech *self,
              gboolean      speaking)
{
  speaking = !!speaking;
  if (self->speaking == speaking)
    return;
  self->speaking = speaking;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEAKING]);
}

static gboolean
write_audio_cb (const short *samples,
                int          n_samples,
                gpointer     user_data)
{
  struct audio_object *audio = user_data;
  int ret = audio_object_write (audio, samples, (size_t) n_samples * sizeof (short));

  if (ret != 0)
    {
      g_debug ("Read-aloud: audio output failed (%s)", audio_object_strerror (audio, ret));
      return FALSE;
    }
  return TRUE;
}

/* In the main context: the job ended (spoken, stopped, or failed). */
static gboolean
job_done_cb (gpointer data)
{
  Job *job = data;
  g_autoptr(IntakeSpeech) self = g_weak_ref_get (&job->speech);

  if (self != NULL && self->job == job)
    {
      g_clear_pointer (&self->job, job_unref);
      set_speaking (self, FALSE);
    }
  return G_SOURCE_REMOVE;
}

static gpointer
speak_thread (gpointer data)
{
  Job *job = data;
  struct audio_object *audio;
  g_autoptr(GError) error = NULL;
  GSource *done;
  int ret;

  g_mutex_lock (&playback_lock);
  if (g_atomic_int_get (&job->cancelled))
    goto out;

  audio = create_audio_device_object (NULL, "intake-kiosk", "Read aloud");
  if (audio == NULL)
    {
      g_debug ("Read-aloud: no audio output on this kiosk");
      goto out;
    }
  ret = audio_object_open (audio, AUDIO_OBJECT_FORMAT_S16LE, (uint32_t) espeak_rate, 1);
  if (ret != 0)
    {
      g_debug ("Read-aloud: no audio output on this kiosk (%s)", audio_object_strerror (audio, ret));
      audio_object_destroy (audio);
      goto out;
    }

  {
    Sink sink = { write_audio_cb, audio, &job->cancelled };

    if (!synthesize_locked (job->voice, job->text, &sink, &error))
      g_debug ("Read-aloud in %s failed: %s", job->lang, error->message);
  }
  if (g_atomic_int_get (&job->cancelled))
    audio_object_flush (audio);
  else
    audio_object_drain (audio);
  audio_object_close (audio);
  audio_object_destroy (audio);

out:
  g_mutex_unlock (&playback_lock);
  /* An idle source, not g_main_context_invoke(): that would run the
   * callback right here whenever this thread can acquire the context
   * (it is the global default for both threads), touching the object
   * off its thread and never waking the main loop. */
  done = g_idle_source_new ();
  g_source_set_priority (done, G_PRIORITY_DEFAULT);
  g_source_set_callback (done, job_done_cb, job, (GDestroyNotify) job_unref);
  g_source_attach (done, job->context);
  g_source_unref (done);
  return NULL;
}

/* ---- Public API --------------------------------------------------------- */

IntakeSpeech *
intake_speech_new (GError **error)
{
  if (!engine_start (error))
    return NULL;
  return g_object_new (INTAKE_TYPE_SPEECH, NULL);
}

gboolean
intake_speech_has_language (IntakeSpeech *self,
                            const char   *lang)
{
  g_return_val_if_fail (INTAKE_IS_SPEECH (self), FALSE);

  return lookup_voice (lang) != NULL;
}

gboolean
intake_speech_get_speaking (IntakeSpeech *self)
{
  g_return_val_if_fail (INTAKE_IS_SPEECH (self), FALSE);

  return self->speaking;
}

void
intake_speech_stop (IntakeSpeech *self)
{
  g_return_if_fail (INTAKE_IS_SPEECH (self));

  if (self->job != NULL)
    {
      /* The thread sees the flag at the next chunk (some 60 ms) and drops
       * what the device still buffers. */
      g_atomic_int_set (&self->job->cancelled, TRUE);
      g_clear_pointer (&self->job, job_unref);
    }
  set_speaking (self, FALSE);
}

gboolean
intake_speech_speak (IntakeSpeech *self,
                     const char   *lang,
                     const char   *text)
{
  const char *voice;
  GThread *thread;
  Job *job;

  g_return_val_if_fail (INTAKE_IS_SPEECH (self), FALSE);

  intake_speech_stop (self);

  voice = lookup_voice (lang);
  if (voice == NULL)
    {
      g_debug ("Read-aloud: no voice for language %s", lang != NULL ? lang : "(none)");
      return FALSE;
    }
  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  job = g_atomic_rc_box_new0 (Job);
  g_weak_ref_init (&job->speech, self);
  job->context = g_main_context_ref_thread_default ();
  job->voice = g_strdup (voice);
  job->lang = g_strdup (lang);
  job->text = g_strdup (text);
  self->job = job;

  g_debug ("Read-aloud: speaking in %s", lang);
  thread = g_thread_new ("intake-speech", speak_thread, job_ref (job));
  g_thread_unref (thread);
  set_speaking (self, TRUE);
  return TRUE;
}

static gboolean
append_samples_cb (const short *samples,
                   int          n_samples,
                   gpointer     user_data)
{
  g_byte_array_append (user_data, (const guint8 *) samples, (guint) n_samples * sizeof (short));
  return TRUE;
}

GBytes *
intake_speech_synthesize (IntakeSpeech *self,
                          const char   *lang,
                          const char   *text,
                          guint        *out_rate,
                          GError      **error)
{
  g_autoptr(GByteArray) samples = NULL;
  const char *voice;
  Sink sink;

  g_return_val_if_fail (INTAKE_IS_SPEECH (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  voice = lookup_voice (lang);
  if (voice == NULL)
    {
      g_set_error (error, INTAKE_SPEECH_ERROR, INTAKE_SPEECH_ERROR_NO_VOICE,
                   "There is no voice for language “%s”: read-aloud is not offered in it.",
                   lang != NULL ? lang : "");
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, INTAKE_SPEECH_ERROR, INTAKE_SPEECH_ERROR_SYNTHESIS,
                   "The text to speak is not valid UTF-8.");
      return NULL;
    }

  samples = g_byte_array_new ();
  sink.func = append_samples_cb;
  sink.user_data = samples;
  sink.cancelled = NULL;
  if (!synthesize_locked (voice, text, &sink, error))
    return NULL;
  if (samples->len == 0)
    {
      g_set_error (error, INTAKE_SPEECH_ERROR, INTAKE_SPEECH_ERROR_SYNTHESIS,
                   "eSpeak NG produced no sound for the text in “%s”.", lang);
      return NULL;
    }

  if (out_rate != NULL)
    *out_rate = (guint) espeak_rate;
  return g_byte_array_free_to_bytes (g_steal_pointer (&samples));
}

/* ---- GObject ------------------------------------------------------------ */

static void
intake_speech_dispose (GObject *object)
{
  IntakeSpeech *self = INTAKE_SPEECH (object);

  if (self->job != NULL)
    {
      g_atomic_int_set (&self->job->cancelled, TRUE);
      g_clear_pointer (&self->job, job_unref);
    }
  self->speaking = FALSE;

  G_OBJECT_CLASS (intake_speech_parent_class)->dispose (object);
}

static void
intake_speech_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  IntakeSpeech *self = INTAKE_SPEECH (object);

  switch (prop_id)
    {
    case PROP_SPEAKING:
      g_value_set_boolean (value, self->speaking);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_speech_class_init (IntakeSpeechClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = intake_speech_dispose;
  object_class->get_property = intake_speech_get_property;

  properties[PROP_SPEAKING] =
    g_param_spec_boolean ("speaking", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
intake_speech_init (IntakeSpeech *self)
{
}
