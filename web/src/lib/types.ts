// Shapes of the HTTP API (docs/api.md).

export type Role = 'ADMIN' | 'HOST';
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export type RoomStatus = 'CREATED' | 'LIVE' | 'ENDED';
export interface Room {
  id: string;
  code: string;
  name: string;
  status: RoomStatus;
  lobbyEnabled: boolean;
  hasPin: boolean;
  chatEnabled: boolean;
  filesEnabled: boolean;
  maxParticipants: number;
  locked: boolean;
  createdAt: string;
}

export interface PublicRoom {
  id: string;
  code: string;
  name: string;
  status: RoomStatus;
  hasPin: boolean;
  lobbyEnabled: boolean;
}

export interface RoomState {
  status: RoomStatus;
  locked: boolean;
  chatEnabled: boolean;
  filesEnabled: boolean;
}

export interface LobbyEntry {
  entryId: string;
  identity: string;
  name: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  createdAt: string;
}

export interface Hand {
  identity: string;
  name: string;
  raised: boolean;
  raisedAt?: string;
}

export type RemovalReason = 'kicked' | 'banned' | 'panic';
export interface Removal {
  identity: string;
  name: string;
  reason: RemovalReason;
}

export interface ModerationEvent {
  action: string;
  identity?: string;
}

export interface ChatMessage {
  id: string;
  clientId?: string;
  identity: string;
  name: string;
  text: string;
  createdAt: string;
}

export interface SharedFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
  identity: string;
  uploader: string;
  createdAt: string;
}

export interface JoinAnswer {
  status: 'admitted' | 'pending';
  identity: string;
  entryId?: string;
}

export interface LiveKitToken {
  token: string;
  url: string;
}

export type ModerationAction =
  | 'kick'
  | 'ban'
  | 'unban'
  | 'mute'
  | 'mute_all'
  | 'stop_publishing'
  | 'allow_publishing'
  | 'lock'
  | 'unlock'
  | 'panic'
  | 'lower_hand';
