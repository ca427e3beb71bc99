/** The npm `ssm-session` package (no types of its own): the calls the ECS Exec test uses. */
declare module 'ssm-session' {
  interface AgentMessage {
    messageType: string;
    sequenceNumber: number;
    messageId: string;
    payloadType: number;
    payload: Uint8Array;
  }
  interface Sender {
    send(data: unknown): void;
  }
  export const ssm: {
    init(connection: Sender, data: { token: string; termOptions: { cols: number; rows: number } }): void;
    decode(buffer: ArrayBuffer | Uint8Array): AgentMessage;
    sendACK(connection: Sender, message: AgentMessage): void;
    sendText(connection: Sender, text: Uint8Array, sequenceNumber?: number): void;
  };
}
