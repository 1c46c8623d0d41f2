// How inferences and feedback look in API responses: the engine's read model defines them once.
export { inferenceRecord as inferenceItem, inferenceFeedback as feedbackItem } from "@motion/engine";
