export {
  chatbotApp, docsQa, documents, questions, usage, chatbotParams, provider, TRIGGER,
  answerQuestion, learnFromFeedback,
  type AnswerOutput, type ChatbotParams, type RankingInfo,
} from "./app.ts";
export { chatbotCorrection, readCorrection, type ChatbotCorrection } from "./correction.ts";
export { SEED_USAGE, type UsageRow } from "./seed-usage.ts";
export { seedExample, SEED_ASKERS, SEED_QUESTIONS, type SeedOptions, type SeedResult } from "./seed.ts";
export { loadCorpus, DOCS_DIR, type CorpusDocument } from "./corpus.ts";
export { loadPackageCorpus, readmeSections, packageUrl, type PackageCorpus } from "./package-corpus.ts";
export {
  packagesEval, docsEval, runEvaluation, referenceRankers, engineLabeler, targets, transferOf, pct,
  type EvalSet, type EvalResult, type EvalQuestion, type Labeler, type Score, type SetScore, type Transfer,
} from "./evaluation.ts";
export { rankingWhatIf, describeVariant, type WhatIf, type Variant, type VariantScore } from "./what-if.ts";
export { providerFromEnv, localProvider, openaiProvider, type Provider } from "./providers/index.ts";
export { chunkMarkdown, markdownTitle, type Chunk } from "./chunker.ts";
export { parseBlocks, type Block } from "./markdown.ts";
export { hashedEmbed, HASHED_EMBEDDER } from "./embeddings.ts";
export { LEXICAL_ENGINE } from "./lexical-index.ts";
export { indexView, updateIndex, type IndexInfo, type IndexView, type ChunkMeta } from "./search-index.ts";
export { extractiveAnswer, type Source } from "./answerer.ts";
export { toJsonl, type FineTuneState } from "./fine-tune.ts";
export { FEATURES } from "./retriever.ts";
