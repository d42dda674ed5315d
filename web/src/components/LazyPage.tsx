// Pages that most visitors never open (the call, the lecture page, the administration) come in
// their own chunks: a short, announced "loading" while one arrives, and a way out if it cannot
// (for instance an old tab after a new version replaced the chunk on the server).
import { Component, Suspense, type ReactNode } from 'react';
import { useI18n } from '../i18n';

function PageLoading() {
  const { t } = useI18n();
  return (
    <div className="page-loading" role="status">
      <div className="spinner small-spinner" aria-hidden="true" />
      <span>{t('common.loadingPage')}</span>
    </div>
  );
}

function PageLoadFailed() {
  const { t } = useI18n();
  return (
    <div className="stack" role="alert">
      <p className="error">{t('common.pageLoadFailed')}</p>
      <div>
        <button type="button" className="primary" onClick={() => window.location.reload()}>
          {t('common.reload')}
        </button>
      </div>
    </div>
  );
}

class ChunkBoundary extends Component<{ children: ReactNode; fallback: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

/**
 * A lazily loaded page: the loading status until its chunk is here, an error if it fails.
 * `standalone` is for a page outside the common layout (the call): its own <main> meanwhile.
 */
export function LazyPage({ children, standalone = false }: { children: ReactNode; standalone?: boolean }) {
  const wrap = (node: ReactNode) => (standalone ? <main className="page">{node}</main> : node);
  return (
    <ChunkBoundary fallback={wrap(<PageLoadFailed />)}>
      <Suspense fallback={wrap(<PageLoading />)}>{children}</Suspense>
    </ChunkBoundary>
  );
}
