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

#include "intake-questionnaire.h"
#include "intake-secure.h"
#include "intake-speech.h"

/* Longer texts are cut: a screen never holds this much, and it bounds the
 * time a synthesis can hold the lock. */
#define MAX_TEXT_BYTES (64 * 1024)
/* eSpeak NG's words per minute: its default for texts, slower for a code
 * spelled one character at a time. */
#define RATE_SPELLED 110
/* Silence between the parts of a script, and between a code and its
 * repetition, in milliseconds. */
#define PAUSE_MS 350
#define SPELLED_PAUSE_MS 1200

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
                   int          rate,
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
  /* 0 is eSpeak NG's default rate; a voice change does not reset it. */
  if (status == ENS_OK)
    status = espeak_ng_SetParameter (espeakRATE, rate > 0 ? rate : espeakRATE_NORMAL, 0);
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


/* ---- Scripts ------------------------------------------------------------ */

typedef struct
{
  IntakeSpeechPartKind  kind;
  char                 *lang;
  char                 *text;    /* secure memory: it may hold a reference code */
  char                 *voice;   /* set when the script is played */
  GBytes               *wav;     /* recordings */
  /* To memory: what the part became. */
  GByteArray           *pcm;
  guint                 rate;
} Part;

struct _IntakeSpeechScript
{
  GPtrArray *parts;
};

static void
part_free (Part *part)
{
  g_free (part->lang);
  intake_secure_strfree (part->text);
  g_free (part->voice);
  g_clear_pointer (&part->wav, g_bytes_unref);
  g_clear_pointer (&part->pcm, g_byte_array_unref);
  g_free (part);
}

IntakeSpeechScript *
intake_speech_script_new (void)
{
  IntakeSpeechScript *script = g_new0 (IntakeSpeechScript, 1);

  script->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  return script;
}

void
intake_speech_script_free (IntakeSpeechScript *script)
{
  if (script == NULL)
    return;
  g_ptr_array_unref (script->parts);
  g_free (script);
}

static void
add_part (IntakeSpeechScript   *script,
          IntakeSpeechPartKind  kind,
          const char           *lang,
          const char           *text,
          GBytes               *wav)
{
  Part *part;

  g_return_if_fail (script != NULL);
  if (kind != INTAKE_SPEECH_PART_RECORDING &&
      (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL)))
    return;

  part = g_new0 (Part, 1);
  part->kind = kind;
  part->lang = g_strdup (lang);
  part->text = g_strdup (text != NULL ? text : "");
  part->wav = wav != NULL ? g_bytes_ref (wav) : NULL;
  g_ptr_array_add (script->parts, part);
}

void
intake_speech_script_add_text (IntakeSpeechScript *script,
                               const char         *lang,
                               const char         *text)
{
  add_part (script, INTAKE_SPEECH_PART_TEXT, lang, text, NULL);
}

void
intake_speech_script_add_spelled (IntakeSpeechScript *script,
                                  const char         *lang,
                                  const char         *text)
{
  add_part (script, INTAKE_SPEECH_PART_SPELLED, lang, text, NULL);
}

void
intake_speech_script_add_recording (IntakeSpeechScript *script,
                                    const char         *lang,
                                    const char         *text,
                                    GBytes             *wav)
{
  g_return_if_fail (wav != NULL);
  add_part (script, INTAKE_SPEECH_PART_RECORDING, lang, text, wav);
}

guint
intake_speech_script_get_n_parts (IntakeSpeechScript *script)
{
  g_return_val_if_fail (script != NULL, 0);
  return script->parts->len;
}

char *
intake_speech_script_dup_text (IntakeSpeechScript *script)
{
  GString *text;

  g_return_val_if_fail (script != NULL, NULL);

  text = g_string_new (NULL);
  for (guint i = 0; i < script->parts->len; i++)
    {
      Part *part = g_ptr_array_index (script->parts, i);

      if (*part->text == '\0')
        continue;
      if (text->len > 0)
        g_string_append (text, "\n\n");
      g_string_append (text, part->text);
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

/* "A C E F" read letter by letter: each character its own sentence, so
 * that every voice says its name ("A." is the letter, "A" may be the word)
 * and pauses after it. Separators ('-', spaces) are left out. */
static char *
spell (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c))
        continue;
      g_string_append_unichar (out, c);
      g_string_append (out, ". ");
    }
  return g_string_free (out, FALSE);
}

/* ---- Playing in a thread ------------------------------------------------- */

typedef struct
{
  GWeakRef            speech;
  GMainContext       *context;
  IntakeSpeechScript *script;
  gboolean            to_memory;
  gboolean            real_time;
  gint                cancelled;   /* atomic */
} Job;

static void
job_clear (gpointer data)
{
  Job *job = data;

  g_weak_ref_clear (&job->speech);
  g_main_context_unref (job->context);
  intake_speech_script_free (job->script);
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

  Job     *job;        /* what is being played, or NULL */
  gboolean speaking;
  gboolean to_memory;
  gboolean real_time;  /* to memory, at the pace of playing */
};

G_DEFINE_FINAL_TYPE (IntakeSpeech, intake_speech, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SPEAKING,
  PROP_TO_MEMORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SPOKEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

/* Where the samples of one part go: the audio device, opened at the
 * part's rate, or the part's buffer. */
typedef struct
{
  Job                 *job;
  struct audio_object *audio;
  guint                audio_rate;
  gboolean             failed;    /* no audio device: give up */
  Part                *part;
} Output;

static gboolean
output_open (Output *out,
             guint   rate)
{
  int ret;

  if (out->job->to_memory)
    {
      out->part->rate = rate;
      if (out->part->pcm == NULL)
        out->part->pcm = g_byte_array_new ();
      return TRUE;
    }
  if (out->failed)
    return FALSE;
  if (out->audio != NULL && out->audio_rate == rate)
    return TRUE;
  if (out->audio != NULL)
    {
      audio_object_drain (out->audio);
      audio_object_close (out->audio);
    }
  else
    {
      out->audio = create_audio_device_object (NULL, "intake-kiosk", "Read aloud");
      if (out->audio == NULL)
        {
          g_debug ("Read-aloud: no audio output on this kiosk");
          out->failed = TRUE;
          return FALSE;
        }
    }
  ret = audio_object_open (out->audio, AUDIO_OBJECT_FORMAT_S16LE, (uint32_t) rate, 1);
  if (ret != 0)
    {
      g_debug ("Read-aloud: no audio output on this kiosk (%s)", audio_object_strerror (out->audio, ret));
      audio_object_destroy (out->audio);
      out->audio = NULL;
      out->failed = TRUE;
      return FALSE;
    }
  out->audio_rate = rate;
  return TRUE;
}

static gboolean
output_write_cb (const short *samples,
                 int          n_samples,
                 gpointer     user_data)
{
  Output *out = user_data;
  int ret;

  if (g_atomic_int_get (&out->job->cancelled))
    return FALSE;
  if (out->job->to_memory)
    {
      g_byte_array_append (out->part->pcm, (const guint8 *) samples, (guint) n_samples * sizeof (short));
      if (out->job->real_time && out->part->rate > 0)
        g_usleep ((gulong) n_samples * G_USEC_PER_SEC / out->part->rate);
      return TRUE;
    }
  ret = audio_object_write (out->audio, samples, (size_t) n_samples * sizeof (short));
  if (ret != 0)
    {
      g_debug ("Read-aloud: audio output failed (%s)", audio_object_strerror (out->audio, ret));
      out->failed = TRUE;
      return FALSE;
    }
  return TRUE;
}

static gboolean
output_silence (Output *out,
                guint   ms)
{
  guint rate = out->job->to_memory ? out->part->rate : out->audio_rate;
  g_autofree short *zeros = NULL;
  guint n = rate * ms / 1000;

  if (n == 0)
    return TRUE;
  zeros = g_new0 (short, n);
  return output_write_cb (zeros, (int) n, out);
}

static void
play_part (Output *out,
           Part   *part)
{
  g_autoptr(GError) error = NULL;

  out->part = part;
  switch (part->kind)
    {
    case INTAKE_SPEECH_PART_TEXT:
    case INTAKE_SPEECH_PART_SPELLED:
      {
        Sink sink = { output_write_cb, out, &out->job->cancelled };
        g_autoptr(IntakeSecureStr) spelled = NULL;
        gboolean twice = part->kind == INTAKE_SPEECH_PART_SPELLED;
        const char *text = part->text;
        int rate = 0;

        if (!output_open (out, (guint) espeak_rate))
          return;
        if (twice)
          {
            spelled = spell (part->text);
            text = spelled;
            rate = RATE_SPELLED;
          }
        for (guint round = 0; round < (twice ? 2 : 1); round++)
          {
            if (round > 0 && !output_silence (out, SPELLED_PAUSE_MS))
              return;
            if (!synthesize_locked (part->voice, text, rate, &sink, &error))
              {
                g_debug ("Read-aloud in %s failed: %s", part->lang, error->message);
                return;
              }
          }
      }
      break;

    case INTAKE_SPEECH_PART_RECORDING:
      {
        IntakeAudioInfo info;
        const guint8 *data;
        gsize offset = 0;

        if (!intake_audio_check_wav (part->wav, &info, &error))
          {
            g_debug ("Read-aloud: a recording in %s cannot be played: %s", part->lang, error->message);
            return;
          }
        if (!output_open (out, info.rate))
          return;
        data = g_bytes_get_data (part->wav, NULL);
        /* In chunks, so that a stop is heard within some 60 ms. The samples
         * are little-endian, as the kiosk's machines are. */
        while (offset < info.n_samples)
          {
            gsize n = MIN (info.n_samples - offset, info.rate / 16);
            g_autofree short *chunk = g_new (short, n);

            memcpy (chunk, data + info.data_offset + offset * 2, n * 2);
            if (!output_write_cb (chunk, (int) n, out))
              return;
            offset += n;
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* In the main context: the job ended (played, stopped, or failed). */
static gboolean
job_done_cb (gpointer data)
{
  Job *job = data;
  g_autoptr(IntakeSpeech) self = g_weak_ref_get (&job->speech);

  if (self == NULL || self->job != job)
    return G_SOURCE_REMOVE;
  if (job->to_memory && !g_atomic_int_get (&job->cancelled))
    for (guint i = 0; i < job->script->parts->len; i++)
      {
        Part *part = g_ptr_array_index (job->script->parts, i);
        g_autoptr(GBytes) pcm = NULL;

        if (part->pcm == NULL)
          continue;
        pcm = g_bytes_new (part->pcm->data, part->pcm->len);
        g_signal_emit (self, signals[SPOKEN], 0, (int) part->kind, part->lang, part->text, pcm, part->rate);
      }
  g_clear_pointer (&self->job, job_unref);
  set_speaking (self, FALSE);
  return G_SOURCE_REMOVE;
}

static gpointer
play_thread (gpointer data)
{
  Job *job = data;
  Output out = { job, NULL, 0, FALSE, NULL };
  GSource *done;

  g_mutex_lock (&playback_lock);
  for (guint i = 0; i < job->script->parts->len && !out.failed; i++)
    {
      if (g_atomic_int_get (&job->cancelled))
        break;
      if (i > 0 && (job->to_memory || out.audio != NULL))
        {
          Part *previous = g_ptr_array_index (job->script->parts, i - 1);

          out.part = previous;
          if (previous->rate != 0 || out.audio != NULL)
            output_silence (&out, PAUSE_MS);
        }
      play_part (&out, g_ptr_array_index (job->script->parts, i));
    }
  if (out.audio != NULL)
    {
      if (g_atomic_int_get (&job->cancelled))
        audio_object_flush (out.audio);
      else
        audio_object_drain (out.audio);
      audio_object_close (out.audio);
      audio_object_destroy (out.audio);
    }
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
intake_speech_play (IntakeSpeech       *self,
                    IntakeSpeechScript *script)
{
  g_autoptr(IntakeSpeechScript) playable = script;
  GThread *thread;
  Job *job;

  g_return_val_if_fail (INTAKE_IS_SPEECH (self), FALSE);
  g_return_val_if_fail (script != NULL, FALSE);

  intake_speech_stop (self);

  /* Texts in a language without a voice are left out. */
  for (guint i = 0; i < playable->parts->len; )
    {
      Part *part = g_ptr_array_index (playable->parts, i);

      if (part->kind != INTAKE_SPEECH_PART_RECORDING)
        {
          const char *voice = lookup_voice (part->lang);

          if (voice == NULL)
            {
              g_debug ("Read-aloud: no voice for language %s", part->lang != NULL ? part->lang : "(none)");
              g_ptr_array_remove_index (playable->parts, i);
              continue;
            }
          part->voice = g_strdup (voice);
        }
      i++;
    }
  if (playable->parts->len == 0)
    return FALSE;

  job = g_atomic_rc_box_new0 (Job);
  g_weak_ref_init (&job->speech, self);
  job->context = g_main_context_ref_thread_default ();
  job->script = g_steal_pointer (&playable);
  job->to_memory = self->to_memory;
  job->real_time = self->real_time;
  self->job = job;

  g_debug ("Read-aloud: playing %u parts", job->script->parts->len);
  thread = g_thread_new ("intake-speech", play_thread, job_ref (job));
  g_thread_unref (thread);
  set_speaking (self, TRUE);
  return TRUE;
}

gboolean
intake_speech_speak (IntakeSpeech *self,
                     const char   *lang,
                     const char   *text)
{
  IntakeSpeechScript *script;

  g_return_val_if_fail (INTAKE_IS_SPEECH (self), FALSE);

  intake_speech_stop (self);
  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  script = intake_speech_script_new ();
  intake_speech_script_add_text (script, lang, text);
  return intake_speech_play (self, script);
}

void
intake_speech_set_memory_real_time (IntakeSpeech *self,
                                    gboolean      real_time)
{
  g_return_if_fail (INTAKE_IS_SPEECH (self));

  self->real_time = !!real_time;
}

void
intake_speech_set_to_memory (IntakeSpeech *self,
                             gboolean      to_memory)
{
  g_return_if_fail (INTAKE_IS_SPEECH (self));

  to_memory = !!to_memory;
  if (self->to_memory == to_memory)
    return;
  self->to_memory = to_memory;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TO_MEMORY]);
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
  if (!synthesize_locked (voice, text, 0, &sink, error))
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
    case PROP_TO_MEMORY:
      g_value_set_boolean (value, self->to_memory);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
intake_speech_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  IntakeSpeech *self = INTAKE_SPEECH (object);

  switch (prop_id)
    {
    case PROP_TO_MEMORY:
      intake_speech_set_to_memory (self, g_value_get_boolean (value));
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
  object_class->set_property = intake_speech_set_property;

  properties[PROP_SPEAKING] =
    g_param_spec_boolean ("speaking", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TO_MEMORY] =
    g_param_spec_boolean ("to-memory", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (kind, lang, text, pcm, rate), for each part of a script played to
   * memory. */
  signals[SPOKEN] = g_signal_new ("spoken",
                                  G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 5,
                                  G_TYPE_INT, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BYTES, G_TYPE_UINT);
}

static void
intake_speech_init (IntakeSpeech *self)
{
}
