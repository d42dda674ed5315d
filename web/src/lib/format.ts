// Numbers and times as people read them.

/** 3725 → "1:02:05", 65 → "1:05". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A transcript offset as [mm:ss] (minutes keep counting past an hour). */
export function stamp(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function dateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}

export function time(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString(lang, { timeStyle: 'short' });
}

const sizeUnits: Record<string, readonly [string, string, string, string] | undefined> = { ru: ['Б', 'КБ', 'МБ', 'ГБ'] };
const englishUnits = ['B', 'KB', 'MB', 'GB'] as const;

/** A file's size in the UI's language: "512 Б", "1,5 КБ" in Russian, "1.5 KB" in English. */
export function fileSize(bytes: number, lang: string): string {
  const [b, kb, mb, gb] = sizeUnits[lang] ?? englishUnits;
  if (bytes < 1024) return `${bytes} ${b}`;
  const one = (v: number) => v.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  if (bytes < 1024 * 1024) return `${one(bytes / 1024)} ${kb}`;
  if (bytes < 1024 * 1024 * 1024) return `${one(bytes / 1024 / 1024)} ${mb}`;
  return `${one(bytes / 1024 / 1024 / 1024)} ${gb}`;
}
