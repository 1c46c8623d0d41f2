export {
  chatbotApp, docsQa, documents, questions, chatbotParams, provider, TRIGGER,
  answerQuestion, indexDocuments, learnFromFeedback, indexOf,
  type AnswerOutput, type ChatbotParams, type IndexInfo, type RerankerInfo,
} from "./app.ts";
export { seedExample, SEED_QUESTIONS, type SeedOptions, type SeedResult } from "./seed.ts";
export { loadCorpus, DOCS_DIR, type CorpusDocument } from "./corpus.ts";
export { providerFromEnv, localProvider, openaiProvider, type Provider } from "./providers/index.ts";
export { chunkMarkdown, type Chunk } from "./chunker.ts";
export { lexicalEmbed, LEXICAL_EMBEDDER } from "./embeddings.ts";
export { extractiveAnswer, type Source } from "./answerer.ts";
export { toJsonl, type FineTuneState } from "./fine-tune.ts";
export { FEATURES } from "./retriever.ts";
