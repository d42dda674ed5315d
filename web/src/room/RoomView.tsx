// The call: video stage, captions, side panel and controls. Lives inside <LiveKitRoom>.
import { useState } from 'react';
import { RoomAudioRenderer, useConnectionState, useRoomContext } from '@livekit/components-react';
import { ConnectionState } from 'livekit-client';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { Stage } from './Stage';
import { Captions } from './Captions';
import { SidePanel } from './SidePanel';
import { MediaControls } from './MediaControls';
import { HostActions, type PanicResult } from './HostActions';
import { Notices, type Notice } from './Notices';
import type { RoomEvents, RoomEventsDispatch } from './useRoomEvents';

interface Props {
  roomId: string;
  roomName: string;
  /** Whether this instance transcribes calls at all. */
  captions: boolean;
  isHost: boolean;
  myIdentity: string;
  events: RoomEvents;
  dispatch: RoomEventsDispatch;
  notices: Notice[];
  onNotice: (text: string) => void;
  onError: (err: unknown) => void;
  onExpire: (id: number) => void;
}

export function RoomView(props: Props) {
  const { roomId, roomName, captions, isHost, myIdentity, events, dispatch, notices, onNotice, onError, onExpire } = props;
  const { t } = useI18n();
  const room = useRoomContext();
  const connection = useConnectionState();
  const [panelOpen, setPanelOpen] = useState(false);
  const handRaised = events.hands.some((h) => h.identity === myIdentity);

  const toggleHand = () => {
    api('POST', `/api/rooms/${roomId}/hand-raise`, { raised: !handRaised }).catch(onError);
  };
  const onPanicDone = (r: PanicResult) => onNotice(t('host.panicDone', { removed: r.removed, rejected: r.rejected }));

  return (
    <main className="room" data-lk-theme="default">
      <header className="room-header row between">
        <h1>{roomName}</h1>
        <span className="row">
          {events.room?.locked && <span className="badge">{t('room.locked')}</span>}
          {connection === ConnectionState.Reconnecting && <span className="badge alert">{t('call.reconnecting')}</span>}
          {events.stream === 'reconnecting' && <span className="badge alert">{t('room.reconnecting')}</span>}
          {events.stream === 'closed' && <span className="badge alert">{t('room.streamClosed')}</span>}
        </span>
      </header>
      <div className="room-body">
        <div className="stage-wrap">
          <Stage />
          <Captions enabled={captions} />
        </div>
        <SidePanel
          roomId={roomId}
          isHost={isHost}
          myIdentity={myIdentity}
          events={events}
          dispatch={dispatch}
          open={panelOpen}
          onClose={() => setPanelOpen(false)}
        />
      </div>
      <div className="lk-control-bar controls" role="toolbar" aria-label={t('call.controls')}>
        <MediaControls onError={onError} />
        <button type="button" className="lk-button" aria-pressed={handRaised} onClick={toggleHand}>
          <span aria-hidden="true">✋</span>{' '}
          <span className="label">{handRaised ? t('hands.lowerMine') : t('hands.raise')}</span>
        </button>
        <button
          type="button"
          className="lk-button panel-toggle"
          aria-expanded={panelOpen}
          aria-controls="side-panel"
          onClick={() => setPanelOpen(!panelOpen)}
        >
          {t('panel.open')}
          {isHost && events.lobby.length > 0 && <span className="badge alert">{events.lobby.length}</span>}
        </button>
        {isHost && <HostActions roomId={roomId} onError={onError} onPanicDone={onPanicDone} />}
        <button type="button" className="lk-button lk-disconnect-button" onClick={() => void room.disconnect()}>
          {t('call.leave')}
        </button>
      </div>
      <Notices notices={notices} onExpire={onExpire} />
      <RoomAudioRenderer />
    </main>
  );
}
