import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { dateTime } from '../lib/format';
import type { LectureInfo } from '../lib/types';
import { ErrorText } from './ErrorText';

interface Props {
  roomId: string;
  /** Changes when the room starts or ends a lecture, so the list is read again. */
  version: string;
}

/** The lectures a room has had, the latest first, each linking to its page. */
export function PastLectures({ roomId, version }: Props) {
  const { t, lang } = useI18n();
  const [lectures, setLectures] = useState<LectureInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let stale = false;
    api<LectureInfo[]>('GET', `/api/rooms/${encodeURIComponent(roomId)}/lectures`).then(
      (list) => {
        if (!stale) setLectures(list);
      },
      (err: unknown) => {
        if (!stale) setError(err);
      },
    );
    return () => {
      stale = true;
    };
  }, [roomId, version]);

  const headingId = `lectures-${roomId}`;
  return (
    // A group, not a region: one per room card, so not a landmark of the page.
    <div role="group" className="stack tight" aria-labelledby={headingId}>
      <h4 id={headingId}>{t('dash.pastLectures')}</h4>
      <ErrorText error={error} />
      {lectures?.length === 0 && <p className="muted small">{t('dash.noLectures')}</p>}
      {lectures && lectures.length > 0 && (
        <ul className="lectures">
          {lectures.map((l) => (
            <li key={l.id}>
              <Link to={`/lectures/${l.id}`}>
                {t('lecture.number', { n: l.number })} · {dateTime(l.startedAt, lang)}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
