// The room's one event stream (/api/rooms/{id}/events), dispatched by event type into one state.
// EventSource resumes with Last-Event-ID by itself; a new snapshot after a reconnect replaces the
// room state, hands and lobby, while chat and files are merged by id. A snapshot marked `reset`
// (the server no longer keeps the events since Last-Event-ID, so it replays none) makes the chat
// and files be read again and replaced, deletions missed meanwhile included.
import { useEffect, useReducer, useRef } from 'react';
import { api } from '../lib/api';
import type {
  CallMoved,
  ChatMessage,
  Hand,
  LobbyEntry,
  ModerationEvent,
  Removal,
  RoomState,
  SharedFile,
} from '../lib/types';

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RoomEvents {
  stream: StreamStatus;
  room: RoomState | null;
  hands: Hand[];
  lobby: LobbyEntry[];
  messages: ChatMessage[];
  files: SharedFile[];
  removed: Removal | null;
  /** Why the chat's or the files' history (before the stream began) could not be loaded. */
  chatError: unknown;
  filesError: unknown;
  /** For the host: the room's PIN is being guessed (pin.attack), until the host acts on it. */
  pinAttack: boolean;
}

interface Snapshot {
  room: RoomState;
  hands: Hand[];
  lobby?: LobbyEntry[];
  reset?: boolean;
}

type Action =
  | { type: 'stream'; status: StreamStatus }
  | { type: 'snapshot'; data: Snapshot }
  | { type: 'knock'; entry: LobbyEntry }
  | { type: 'decided'; entry: LobbyEntry }
  | { type: 'room'; room: RoomState }
  | { type: 'hand'; hand: Hand }
  | { type: 'messages'; messages: ChatMessage[]; keep?: Set<string> }
  | { type: 'chatDeleted'; id: string }
  | { type: 'files'; files: SharedFile[]; keep?: Set<string> }
  | { type: 'fileDeleted'; id: string }
  | { type: 'removed'; removal: Removal }
  | { type: 'historyError'; of: 'chat' | 'files'; error: unknown }
  | { type: 'pinAttack'; on: boolean };

const initial: RoomEvents = {
  stream: 'connecting',
  room: null,
  hands: [],
  lobby: [],
  messages: [],
  files: [],
  removed: null,
  chatError: null,
  filesError: null,
  pinAttack: false,
};

function mergeById<T extends { id: string; createdAt: string }>(list: T[], more: T[]): T[] {
  const byId = new Map(list.map((x) => [x.id, x]));
  for (const x of more) byId.set(x.id, x);
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** What a reset's reload leaves of the list: only the ids in keep (all without a reset). */
function kept<T extends { id: string }>(list: T[], keep?: Set<string>): T[] {
  return keep ? list.filter((x) => keep.has(x.id)) : list;
}

function reduce(s: RoomEvents, a: Action): RoomEvents {
  switch (a.type) {
    case 'stream':
      return { ...s, stream: a.status };
    case 'snapshot':
      return { ...s, room: a.data.room, hands: a.data.hands, lobby: a.data.lobby ?? [] };
    case 'knock':
      return { ...s, lobby: [...s.lobby.filter((e) => e.entryId !== a.entry.entryId), a.entry] };
    case 'decided':
      return { ...s, lobby: s.lobby.filter((e) => e.entryId !== a.entry.entryId) };
    case 'room':
      return { ...s, room: a.room };
    case 'hand': {
      const others = s.hands.filter((h) => h.identity !== a.hand.identity);
      return { ...s, hands: a.hand.raised ? [...others, a.hand] : others };
    }
    case 'messages':
      return { ...s, messages: mergeById(kept(s.messages, a.keep), a.messages) };
    case 'chatDeleted':
      return { ...s, messages: s.messages.filter((m) => m.id !== a.id) };
    case 'files':
      return { ...s, files: mergeById(kept(s.files, a.keep), a.files) };
    case 'fileDeleted':
      return { ...s, files: s.files.filter((f) => f.id !== a.id) };
    case 'removed':
      return { ...s, removed: a.removal, stream: 'closed' };
    case 'historyError':
      return a.of === 'chat' ? { ...s, chatError: a.error } : { ...s, filesError: a.error };
    case 'pinAttack':
      return { ...s, pinAttack: a.on };
  }
}

export interface RoomEventHandlers {
  onKnock?: (entry: LobbyEntry) => void;
  /** A hand went up or down (not the snapshot's hands). */
  onHand?: (hand: Hand) => void;
  onOut?: (removal: Removal) => void;
  onModeration?: (event: ModerationEvent) => void;
  onCallMoved?: (moved: CallMoved) => void;
}

export function useRoomEvents(roomId: string | null, handlers: RoomEventHandlers) {
  const [state, dispatch] = useReducer(reduce, initial);
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    if (!roomId) return;
    const es = new EventSource(`/api/rooms/${roomId}/events`);
    const on = <T,>(type: string, fn: (data: T) => void) =>
      es.addEventListener(type, (e) => fn(JSON.parse((e as MessageEvent<string>).data) as T));

    // History: what was said and shared before this stream began (merged by id with the stream),
    // or, after a reset snapshot, everything as it is now: it replaces what the page holds, but
    // for what the stream brought since the reset (the read may have missed it).
    let sinceReset: { messages: Set<string>; files: Set<string> } | null = null;
    const loadHistory = (reset: boolean) => {
      const since = reset ? (sinceReset = { messages: new Set(), files: new Set() }) : null;
      api<ChatMessage[]>('GET', `/api/rooms/${roomId}/chat?limit=200`)
        .then((messages) => dispatch({ type: 'messages', messages, keep: since?.messages }))
        .catch((error: unknown) => dispatch({ type: 'historyError', of: 'chat', error }));
      api<SharedFile[]>('GET', `/api/rooms/${roomId}/files`)
        .then((files) => dispatch({ type: 'files', files, keep: since?.files }))
        .catch((error: unknown) => dispatch({ type: 'historyError', of: 'files', error }));
    };

    on<Snapshot>('snapshot', (data) => {
      dispatch({ type: 'snapshot', data });
      if (data.reset) loadHistory(true);
    });
    on<LobbyEntry>('lobby.knock', (entry) => {
      dispatch({ type: 'knock', entry });
      handlersRef.current.onKnock?.(entry);
    });
    on<LobbyEntry>('lobby.decided', (entry) => dispatch({ type: 'decided', entry }));
    on<RoomState>('room.state', (room) => dispatch({ type: 'room', room }));
    on<Hand>('hand', (hand) => {
      dispatch({ type: 'hand', hand });
      handlersRef.current.onHand?.(hand);
    });
    on<ModerationEvent>('moderation', (ev) => handlersRef.current.onModeration?.(ev));
    on<Removal>('participant.out', (removal) => handlersRef.current.onOut?.(removal));
    on<CallMoved>('call.moved', (moved) => handlersRef.current.onCallMoved?.(moved));
    on<unknown>('pin.attack', () => dispatch({ type: 'pinAttack', on: true }));
    on<ChatMessage>('chat.message', (m) => {
      sinceReset?.messages.add(m.id);
      dispatch({ type: 'messages', messages: [m] });
    });
    on<{ id: string }>('chat.deleted', ({ id }) => dispatch({ type: 'chatDeleted', id }));
    on<SharedFile>('file.shared', (f) => {
      sinceReset?.files.add(f.id);
      dispatch({ type: 'files', files: [f] });
    });
    on<{ id: string }>('file.deleted', ({ id }) => dispatch({ type: 'fileDeleted', id }));
    on<Removal>('removed', (removal) => {
      es.close();
      dispatch({ type: 'removed', removal });
    });
    es.onopen = () => dispatch({ type: 'stream', status: 'open' });
    es.onerror = () =>
      dispatch({ type: 'stream', status: es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting' });

    loadHistory(false);

    return () => es.close();
  }, [roomId]);

  return { state, dispatch };
}

export type RoomEventsDispatch = ReturnType<typeof useRoomEvents>['dispatch'];
