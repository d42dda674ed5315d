import { useI18n } from '../i18n';
import type { SharedFile } from '../lib/types';
import { fileSize } from '../lib/format';

export function FileList({ roomId, files }: { roomId: string; files: SharedFile[] }) {
  const { t, lang } = useI18n();
  return (
    <section className="card stack" aria-labelledby="files-title">
      <h2 id="files-title">
        {t('lecture.files')} <span className="badge">{files.length}</span>
      </h2>
      {files.length === 0 ? (
        <p className="muted">{t('files.empty')}</p>
      ) : (
        <ul className="list">
          {files.map((f) => (
            <li key={f.id} className="row wrap between">
              <a href={`/api/rooms/${roomId}/files/${f.id}`} download={f.name}>
                <span className="visually-hidden">{t('lecture.download')} </span>
                {f.name}
              </a>
              <span className="muted small">
                {fileSize(f.size, lang)} · {f.uploader}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
