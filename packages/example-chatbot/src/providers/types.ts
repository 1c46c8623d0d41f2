import type { ChatMessage, FewShot, Source } from "../answerer.ts";

export interface AnswerRequest {
  question: string;
  sources: Source[];
  fewShot: FewShot[];
  model: string;
  temperature: number;
  stream: boolean;
  /** How much a question term weighs when quoting extractively (rarer terms more). */
  weight?: (term: string) => number;
}

export interface AnswerResult {
  answer: string;
  model: string;
}

export interface FineTuneJob {
  id: string;
  status: string;
  model: string | null;
  error: string | null;
}

/** What answers questions: the embedded local provider or an OpenAI-compatible server. */
export interface Provider {
  readonly name: "local" | "openai";
  /** Shown in outputs and the README: which provider answers, and where. */
  readonly description: string;
  /** Dense embeddings, when the provider has them (the local one relies on lexical vectors). */
  embed?(texts: string[], model: string): Promise<Float32Array[]>;
  answer(request: AnswerRequest): Promise<AnswerResult>;
  /** Streams answer text as it is generated. */
  stream?(messages: ChatMessage[], model: string, temperature: number): AsyncIterable<string>;
  fineTune?: {
    start(jsonl: string, baseModel: string, suffix: string): Promise<FineTuneJob>;
    poll(jobId: string): Promise<FineTuneJob>;
  };
}
