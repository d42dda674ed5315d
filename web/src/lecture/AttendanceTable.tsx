import { useI18n } from '../i18n';
import type { Attendee } from '../lib/types';
import { time } from '../lib/format';

export function AttendanceTable({ attendance }: { attendance: Attendee[] }) {
  const { t, lang } = useI18n();
  return (
    <section className="card stack" aria-labelledby="attendance-title">
      <h2 id="attendance-title">
        {t('lecture.attendance')} <span className="badge">{attendance.length}</span>
      </h2>
      {attendance.length === 0 ? (
        <p className="muted">{t('lecture.noAttendance')}</p>
      ) : (
        // Focusable, so that the keyboard can scroll a wide table; a group, not a second
        // landmark with the section's name.
        <div className="table-wrap" role="group" aria-labelledby="attendance-title" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('lecture.col.name')}</th>
                <th scope="col">{t('lecture.col.joined')}</th>
                <th scope="col">{t('lecture.col.left')}</th>
                <th scope="col" className="num">{t('lecture.col.minutes')}</th>
                <th scope="col" className="num">{t('lecture.col.connections')}</th>
              </tr>
            </thead>
            <tbody>
              {attendance.map((a) => (
                <tr key={a.identity}>
                  <th scope="row">{a.name}</th>
                  <td className="nowrap">{time(a.joinedAt, lang)}</td>
                  <td className="nowrap">{a.leftAt ? time(a.leftAt, lang) : t('lecture.stillHere')}</td>
                  <td className="num">{Math.round(a.seconds / 60)}</td>
                  <td className="num">{a.connections}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
