// A small client for the GraphQL over WebSocket protocol (graphql-ws,
// subprotocol "graphql-transport-ws"):
// https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md
//
//   client → connection_init {payload}     server → connection_ack
//   client → subscribe {id, payload}       server → next {id, payload} …
//                                          server → error {id, payload: [GraphQLError]}
//                                          server → complete {id}
//   client → complete {id} (unsubscribe)
//   either → ping {payload?}, answered by pong
//
// One socket carries every subscription. The client does not reconnect by
// itself: the page decides (it polls meanwhile); onClose tells it why.

export const SUBPROTOCOL = 'graphql-transport-ws';

/** wsURL turns the page's address into the GraphQL websocket's: http→ws, https→wss, path /graphql. */
export function wsURL(pageHref) {
  const u = new URL('/graphql', pageHref);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.hash = '';
  u.search = '';
  return u.toString();
}

/**
 * GraphQLWsClient speaks graphql-transport-ws over one socket.
 *
 * options:
 *   url                  websocket address
 *   connectionParams     the connection_init payload, or a function returning it
 *   WebSocket            the constructor (the browser's by default; tests pass a fake)
 *   ackTimeoutMs         how long to wait for connection_ack before closing (10 s)
 *   onStatus(status)     'connecting' | 'live' | 'closed'
 *   onClose({code, reason})  the socket closed or failed (once)
 *   setTimeout, clearTimeout  timers (tests pass fakes)
 */
export class GraphQLWsClient {
  constructor(options) {
    this.options = options;
    this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.setTimeout = options.setTimeout ?? globalThis.setTimeout.bind(globalThis);
    this.clearTimeout = options.clearTimeout ?? globalThis.clearTimeout.bind(globalThis);
    this.sinks = new Map(); // id → {payload, sink, sent}
    this.nextId = 1;
    this.acked = false;
    this.closed = false;
    this.status = 'idle';
    this.socket = null;
  }

  setStatus(s) {
    this.status = s;
    this.options.onStatus?.(s);
  }

  /** connect opens the socket and sends connection_init. */
  connect() {
    if (this.socket) return;
    this.setStatus('connecting');
    let socket;
    try {
      socket = new this.WebSocket(this.options.url, SUBPROTOCOL);
    } catch (e) {
      this.finish(1006, String(e?.message ?? e));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (socket.protocol && socket.protocol !== SUBPROTOCOL) {
        this.close(4400, `server chose subprotocol ${socket.protocol}`);
        return;
      }
      const p = this.options.connectionParams;
      const payload = typeof p === 'function' ? p() : p;
      this.send(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload });
      this.ackTimer = this.setTimeout(() => {
        if (!this.acked) this.close(4408, 'connection acknowledgement timeout');
      }, this.options.ackTimeoutMs ?? 10000);
    };
    socket.onmessage = (ev) => this.receive(ev.data);
    // An error is followed by close; close reports it.
    socket.onerror = () => {};
    socket.onclose = (ev) => this.finish(ev?.code ?? 1006, ev?.reason ?? '');
  }

  send(msg) {
    if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(msg));
  }

  receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      this.close(4400, 'invalid message received');
      return;
    }
    if (!msg || typeof msg.type !== 'string') {
      this.close(4400, 'invalid message received');
      return;
    }
    switch (msg.type) {
      case 'connection_ack':
        if (this.acked) return;
        this.acked = true;
        this.clearTimeout(this.ackTimer);
        this.setStatus('live');
        for (const [id, s] of this.sinks) {
          if (!s.sent) this.sendSubscribe(id, s);
        }
        return;
      case 'ping':
        this.send(msg.payload === undefined ? { type: 'pong' } : { type: 'pong', payload: msg.payload });
        return;
      case 'pong':
        return;
      case 'next':
      case 'error':
      case 'complete': {
        if (!this.acked) {
          this.close(4400, `${msg.type} before connection_ack`);
          return;
        }
        const s = this.sinks.get(msg.id);
        if (!s) return; // already unsubscribed: late messages are dropped
        if (msg.type === 'next') {
          s.sink.next?.(msg.payload);
        } else {
          this.sinks.delete(msg.id);
          if (msg.type === 'error') s.sink.error?.(msg.payload);
          else s.sink.complete?.();
        }
        return;
      }
      default:
        this.close(4400, `unexpected message type ${msg.type}`);
    }
  }

  sendSubscribe(id, s) {
    s.sent = true;
    this.send({ id, type: 'subscribe', payload: s.payload });
  }

  /**
   * subscribe starts an operation ({query, variables, operationName}); the
   * sink's next gets each result ({data, errors}), error the errors of a
   * refused operation, complete the end. It returns the unsubscribe function.
   * Before connection_ack the subscription waits and is sent on ack.
   */
  subscribe(payload, sink) {
    const id = String(this.nextId++);
    const s = { payload, sink, sent: false };
    this.sinks.set(id, s);
    if (this.acked) this.sendSubscribe(id, s);
    return () => {
      const cur = this.sinks.get(id);
      if (!cur) return;
      this.sinks.delete(id);
      if (cur.sent) this.send({ id, type: 'complete' });
    };
  }

  /** close ends the socket (1000 by default); onClose is called once. */
  close(code = 1000, reason = 'Normal Closure') {
    if (this.socket && this.socket.readyState < 2) {
      try {
        this.socket.close(code, reason);
      } catch {
        // Browsers refuse some codes; the socket is closed anyway below.
      }
    }
    this.finish(code, reason);
  }

  finish(code, reason) {
    if (this.closed) return;
    this.closed = true;
    this.clearTimeout(this.ackTimer);
    if (this.socket) {
      this.socket.onopen = this.socket.onmessage = this.socket.onerror = this.socket.onclose = null;
    }
    this.sinks.clear();
    this.setStatus('closed');
    this.options.onClose?.({ code, reason });
  }
}
