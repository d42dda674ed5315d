import { useCallback, useEffect, useState } from 'react';
import { Navigate, useParams } from 'react-router';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { api, ApiError } from '../lib/api';
import type { Lecture } from '../lib/types';
import { dateTime, duration } from '../lib/format';
import { ErrorText } from '../components/ErrorText';
import { SummarySection } from '../lecture/SummarySection';
import { AttendanceTable } from '../lecture/AttendanceTable';
import { TranscriptSection } from '../lecture/TranscriptSection';
import { ChatLog } from '../lecture/ChatLog';
import { FileList } from '../lecture/FileList';

const pollMs = 4000;

/** After the lecture: summary, attendance, transcript, chat, files and exports (owner, admin). */
export function LecturePage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const { user, loading } = useAuth();
  const [lecture, setLecture] = useState<Lecture | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  const [searching, setSearching] = useState(false);

  const load = useCallback(
    (q: string) =>
      api<Lecture>('GET', `/api/lectures/${encodeURIComponent(id)}${q ? `?q=${encodeURIComponent(q)}` : ''}`).then(
        (l) => {
          setLecture(l);
          setError(null);
        },
      ),
    [id],
  );

  useEffect(() => {
    if (!user) return;
    setSearching(true);
    load(query)
      .catch(setError)
      .finally(() => setSearching(false));
  }, [user, load, query]);

  // While the summary is being written, ask again every few seconds.
  const waiting =
    lecture?.room.status === 'ENDED' && (lecture.summary.status === 'PENDING' || lecture.summary.status === 'RUNNING');
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => {
      load(query).catch(setError);
    }, pollMs);
    return () => clearInterval(timer);
  }, [waiting, load, query]);

  if (loading) return <p>{t('common.loading')}</p>;
  if (!user) return <Navigate to="/login" replace />;
  if (error instanceof ApiError && error.status === 401) return <Navigate to="/login" replace />;
  if (!lecture) {
    return (
      <section className="stack">
        <h1>{t('lecture.title')}</h1>
        {error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>}
      </section>
    );
  }

  const { room } = lecture;
  const exportUrl = (format: 'pdf' | 'md') => `/api/lectures/${encodeURIComponent(room.id)}/export?format=${format}`;
  return (
    <div className="lecture stack">
      <header className="stack tight">
        <div className="row between wrap">
          <h1>{room.name}</h1>
          <span className={`badge status-${room.status.toLowerCase()}`}>{t(`status.${room.status}`)}</span>
        </div>
        <dl className="facts">
          <div>
            <dt>{t('lecture.date')}</dt>
            <dd>{dateTime(room.startedAt ?? room.createdAt, lang)}</dd>
          </div>
          <div>
            <dt>{t('lecture.duration')}</dt>
            <dd>{room.startedAt ? duration(lecture.durationSeconds) : '—'}</dd>
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
        <ErrorText error={error} />
      </header>
      <SummarySection summary={lecture.summary} roomStatus={room.status} />
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
