// Fine-tuning examples from labels: OpenAI chat format, one {"messages": [...]} per line. A
// trigger may say how one of its labeled inferences becomes an example (`trainingExample`);
// the default keeps good outputs, replaces bad ones by their correction, and leaves out bad
// outputs without a correction.

/** What a labeled inference looks like to `trainingExample` (the latest label wins). */
export interface LabeledExample {
  inferenceId: string;
  input: unknown;
  output: unknown;
  label: "good" | "bad";
  correction: unknown;
  note?: string | null;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

const USER_FIELDS = ["question", "prompt", "query", "input", "text", "content", "message"];
const ASSISTANT_FIELDS = ["answer", "output", "response", "completion", "text", "content", "message"];

/** A message's text: a string as is, else a well-known string field, else the JSON. */
export function messageText(value: unknown, fields: string[]): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const field of fields) {
      const v = (value as Record<string, unknown>)[field];
      if (typeof v === "string") return v;
    }
  }
  return JSON.stringify(value ?? null);
}

export interface ChatExample {
  messages: ChatMessage[];
}

/** A trigger's mapping from a labeled inference to a chat example; null leaves it out. */
export type TrainingExampleFn = (example: LabeledExample) => ChatExample | null;

/** The default mapping: the good output or the correction, as user → assistant. */
export function defaultTrainingExample(example: LabeledExample): ChatExample | null {
  const answer = example.label === "good" ? example.output : example.correction;
  if (answer === undefined || answer === null) return null;
  return {
    messages: [
      { role: "user", content: messageText(example.input, USER_FIELDS) },
      { role: "assistant", content: messageText(answer, ASSISTANT_FIELDS) },
    ],
  };
}

/** One example through `map` (default above), with an optional system message put first. */
export function toChat(example: LabeledExample, system?: string, map: TrainingExampleFn = defaultTrainingExample): ChatExample | null {
  const chat = map(example);
  if (!chat) return null;
  if (!Array.isArray(chat.messages) || chat.messages.some((m) => typeof m?.content !== "string" || !["system", "user", "assistant"].includes(m?.role))) {
    throw new TypeError(`trainingExample for inference ${example.inferenceId} must return { messages: [{ role: "system" | "user" | "assistant", content: string }] } or null`);
  }
  return system && chat.messages[0]?.role !== "system" ? { messages: [{ role: "system", content: system }, ...chat.messages] } : chat;
}

export function toOpenAIJsonl(examples: LabeledExample[], system?: string, map?: TrainingExampleFn): { content: string; lines: number; skipped: number } {
  const lines: string[] = [];
  let skipped = 0;
  for (const example of examples) {
    const chat = toChat(example, system, map);
    if (chat) lines.push(JSON.stringify(chat));
    else skipped++;
  }
  return { content: lines.length ? lines.join("\n") + "\n" : "", lines: lines.length, skipped };
}
