import { useCallback, useEffect, useState } from 'react';
import { Navigate, useParams, useSearchParams } from 'react-router';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { api, ApiError } from '../lib/api';
import type { Lecture } from '../lib/types';
import { dateTime, duration } from '../lib/format';
import { AuthFailed } from '../components/AuthFailed';
import { ErrorText } from '../components/ErrorText';
import { SummarySection } from '../lecture/SummarySection';
import { AttendanceTable } from '../lecture/AttendanceTable';
import { TranscriptSection } from '../lecture/TranscriptSection';
import { ChatLog } from '../lecture/ChatLog';
import { FileList } from '../lecture/FileList';
import { OwnerActions } from '../lecture/OwnerActions';

const pollMs = 4000;

/** After the lecture: summary, attendance, transcript, chat, files and exports (owner, admin,
 * or anyone with the share link: ?share=TOKEN). */
export function LecturePage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const share = params.get('share') ?? '';
  const { t, lang } = useI18n();
  const { user, loading, error: authError } = useAuth();
  const [lecture, setLecture] = useState<Lecture | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const [searching, setSearching] = useState(false);

  // The page for the query q; an answer that arrives once `stale()` (the query changed since, or
  // the page was left) is dropped, so an older search never replaces a newer one.
  const load = useCallback(
    (q: string, stale: () => boolean) =>
      api<Lecture>('GET', `/api/lectures/${encodeURIComponent(id)}?${new URLSearchParams({ ...(q ? { q } : {}), ...(share ? { share } : {}) })}`).then(
        (l) => {
          if (stale()) return;
          setLecture(l);
          setError(null);
        },
        (err: unknown) => {
          if (!stale()) setError(err);
        },
      ),
    [id, share],
  );

  useEffect(() => {
    if (!user && !share) return;
    let stale = false;
    setSearching(true);
    void load(query, () => stale).finally(() => {
      if (!stale) setSearching(false);
    });
    return () => {
      stale = true;
    };
  }, [user, share, load, query]);

  // While the summary is being written, ask again every few seconds.
  const waiting =
    lecture?.lecture.status === 'ENDED' && (lecture.summary.status === 'PENDING' || lecture.summary.status === 'RUNNING');
  useEffect(() => {
    if (!waiting) return;
    let stale = false;
    const timer = setInterval(() => void load(query, () => stale), pollMs);
    return () => {
      stale = true;
      clearInterval(timer);
    };
  }, [waiting, load, query]);

  if (loading) return <p>{t('common.loading')}</p>;
  if (!user && !share) return authError ? <AuthFailed /> : <Navigate to="/login" replace />;
  if (!share && error instanceof ApiError && error.status === 401) return <Navigate to="/login" replace />;
  if (!lecture) {
    return (
      <section className="stack">
        <h1>{t('lecture.title')}</h1>
        {error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>}
      </section>
    );
  }

  const { room, lecture: info } = lecture;
  const exportUrl = (format: 'pdf' | 'md') =>
    `/api/lectures/${encodeURIComponent(info.id)}/export?format=${format}${share ? `&share=${encodeURIComponent(share)}` : ''}`;
  return (
    <div className="lecture stack">
      <header className="stack tight">
        <div className="row between wrap">
          <h1>{room.name}</h1>
          <span className={`badge status-${info.status.toLowerCase()}`}>{t(`status.${info.status}`)}</span>
        </div>
        <p className="muted">{t('lecture.number', { n: info.number })}</p>
        <dl className="facts">
          <div>
            <dt>{t('lecture.date')}</dt>
            <dd>{dateTime(info.startedAt ?? room.createdAt, lang)}</dd>
          </div>
          <div>
            <dt>{t('lecture.duration')}</dt>
            <dd>{info.startedAt ? duration(lecture.durationSeconds) : '—'}</dd>
          </div>
        </dl>
        <div className="row wrap" role="group" aria-label={t('lecture.export')}>
          <a className="button" href={exportUrl('pdf')} download>
            {t('lecture.exportPdf')}
          </a>
          <a className="button" href={exportUrl('md')} download>
            {t('lecture.exportMd')}
          </a>
        </div>
        {!share && user && <OwnerActions lectureId={info.id} drive={lecture.driveExport} />}
        <ErrorText error={error} />
      </header>
      <SummarySection summary={lecture.summary} roomStatus={info.status} />
      <AttendanceTable attendance={lecture.attendance} />
      <TranscriptSection
        segments={lecture.transcript}
        query={query}
        searching={searching}
        onSearch={setQuery}
      />
      <ChatLog messages={lecture.chat} />
      <FileList roomId={room.id} files={lecture.files} />
    </div>
  );
}
