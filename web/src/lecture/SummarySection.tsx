import { useI18n } from '../i18n';
import type { RoomStatus, Summary } from '../lib/types';
import { Markdown } from '../components/Markdown';

/** The summary with its status: it is written only after the lecture ends. */
export function SummarySection({ summary, roomStatus }: { summary: Summary; roomStatus: RoomStatus }) {
  const { t } = useI18n();
  const working = summary.status === 'PENDING' || summary.status === 'RUNNING';
  return (
    <section className="card stack" aria-labelledby="summary-title">
      <div className="row between wrap">
        <h2 id="summary-title">{t('lecture.summary')}</h2>
        {summary.status === 'READY' && summary.kind === 'extractive' && (
          <span className="badge">{t('lecture.extractive')}</span>
        )}
      </div>
      {roomStatus !== 'ENDED' ? (
        <p className="muted">{t('lecture.summaryAfterEnd')}</p>
      ) : working ? (
        <div className="row" role="status">
          <span className="spinner small-spinner" aria-hidden="true" />
          <span>
            {summary.status === 'RUNNING' ? t('lecture.summaryRunning') : t('lecture.summaryPending')}
            {summary.error && (
              <>
                <br />
                <small>{t('lecture.summaryRetry', { error: summary.error })}</small>
              </>
            )}
          </span>
        </div>
      ) : summary.status === 'FAILED' ? (
        <p className="error" role="alert">
          {t('lecture.summaryFailed', { error: summary.error || '—' })}
        </p>
      ) : (
        <>
          {summary.kind === 'extractive' && <p className="muted small">{t('lecture.extractiveNote')}</p>}
          <Markdown source={summary.markdown} />
        </>
      )}
    </section>
  );
}
