import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import type { TranscriptSegment } from '../lib/types';
import { stamp } from '../lib/format';

interface Props {
  segments: TranscriptSegment[];
  query: string;
  searching: boolean;
  onSearch: (q: string) => void;
}

/** The transcript with speakers and [mm:ss]; the search runs on the server (`?q=`). */
export function TranscriptSection({ segments, query, searching, onSearch }: Props) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(query);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(draft.trim());
  };
  return (
    <section className="card stack" aria-labelledby="transcript-title">
      <h2 id="transcript-title">{t('lecture.transcript')}</h2>
      <form role="search" className="row wrap" onSubmit={submit}>
        <label className="grow">
          <span className="visually-hidden">{t('lecture.search')}</span>
          <input
            type="search"
            value={draft}
            placeholder={t('lecture.searchPlaceholder')}
            onChange={(e) => setDraft(e.target.value)}
          />
        </label>
        <button type="submit" disabled={searching}>
          {t('lecture.searchButton')}
        </button>
        {query && (
          <button
            type="button"
            onClick={() => {
              setDraft('');
              onSearch('');
            }}
          >
            {t('lecture.searchClear')}
          </button>
        )}
      </form>
      <p className="muted small status-line" role="status">
        {searching
          ? t('common.loading')
          : query
            ? t('lecture.searchFound', { n: segments.length, q: query })
            : ''}
      </p>
      {segments.length === 0 ? (
        !query && <p className="muted">{t('lecture.noTranscript')}</p>
      ) : (
        // A box that scrolls when long: focusable, so that the keyboard can scroll it too.
        <ol className="transcript" tabIndex={0} aria-labelledby="transcript-title">
          {segments.map((s, i) => (
            <li key={`${s.startMs}-${i}`}>
              <span className="stamp">[{stamp(s.startMs)}]</span> <span className="who">{s.speaker}:</span>{' '}
              <span lang={s.language || undefined}>{s.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
