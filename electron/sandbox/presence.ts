/**
 * Presence channels (`presence-<channel>`, WebSocket only): who is subscribed to one, per account. A new
 * member gets `connected` with everyone present (itself included); the others get `join`, and `leave` when
 * a member unsubscribes or disconnects. Beebotte names these events (its Beerule triggers include join and
 * leave) but does not publish their shape: `{userid, username}` per member is picked here.
 */
export interface Member {
  userid: string;
  username: string;
}

export class PresenceRooms<Client> {
  /** owner \0 presence channel → members by client (one membership per client and channel) */
  private readonly rooms = new Map<string, Map<Client, Member>>();

  /** Adds a member; returns everyone present, and whether the client was not there yet. */
  join(owner: string, channel: string, client: Client, member: Member): { members: Member[]; joined: boolean } {
    const key = `${owner}\0${channel}`;
    const room = this.rooms.get(key) ?? new Map<Client, Member>();
    this.rooms.set(key, room);
    const joined = !room.has(client);
    room.set(client, member);
    return { members: [...room.values()], joined };
  }

  /** Removes a member; the member it was, or null when the client was not in the room. */
  leave(owner: string, channel: string, client: Client): Member | null {
    const key = `${owner}\0${channel}`;
    const room = this.rooms.get(key);
    const member = room?.get(client);
    if (!room || !member) return null;
    room.delete(client);
    if (room.size === 0) this.rooms.delete(key);
    return member;
  }

  /** Every room a client was in (it disconnected), with the member it was. */
  leaveAll(client: Client): Array<{ owner: string; channel: string; member: Member }> {
    const left: Array<{ owner: string; channel: string; member: Member }> = [];
    for (const [key, room] of this.rooms) {
      const member = room.get(client);
      if (!member) continue;
      const [owner = '', channel = ''] = key.split('\0');
      room.delete(client);
      if (room.size === 0) this.rooms.delete(key);
      left.push({ owner, channel, member });
    }
    return left;
  }
}
