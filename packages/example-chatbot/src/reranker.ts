// The learned reranker: logistic regression over the retrieval features of a candidate chunk
// (see retriever.ts), trained in the feedback fit from operators' labels. Weights are a
// Float32Array in state: [bias, w_1 … w_F]. Features are standardised with the training
// set's mean and deviation, which are stored alongside the weights.

export interface Example {
  x: number[];
  y: 0 | 1;
  /** Per-example weight: each labeled question contributes the same total weight. */
  weight: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /**
   * Raw-feature coefficients of the ranking to fall back on (the un-learned retrieval score).
   * The L2 penalty pulls the weights towards it instead of towards zero, so a handful of
   * labels nudges the base ranking rather than replacing it with noise.
   */
  prior?: number[];
}

export interface Model {
  /** [bias, weights…, means…, deviations…] — one array so it is one binary state value. */
  packed: Float32Array;
  features: number;
}

export interface TrainResult {
  model: Model;
  loss: number;
  accuracy: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function pack(bias: number, weights: number[], mean: number[], std: number[]): Float32Array {
  return Float32Array.from([bias, ...weights, ...mean, ...std]);
}

export function unpack(packed: ArrayLike<number>): { bias: number; weights: number[]; mean: number[]; std: number[] } {
  const f = (packed.length - 1) / 3;
  const all = Array.from({ length: packed.length }, (_, i) => packed[i]!);
  return { bias: all[0]!, weights: all.slice(1, 1 + f), mean: all.slice(1 + f, 1 + 2 * f), std: all.slice(1 + 2 * f) };
}

/** Full-batch gradient descent on weighted log loss with L2 on the weights (not the bias). */
export function train(examples: Example[], options: TrainOptions): TrainResult {
  const f = examples[0]?.x.length ?? 0;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(0);
  const totalWeight = examples.reduce((a, e) => a + e.weight, 0) || 1;
  for (const e of examples) for (let j = 0; j < f; j++) mean[j]! += (e.weight * e.x[j]!) / totalWeight;
  for (const e of examples) for (let j = 0; j < f; j++) std[j]! += (e.weight * (e.x[j]! - mean[j]!) ** 2) / totalWeight;
  for (let j = 0; j < f; j++) std[j] = Math.sqrt(std[j]!) || 1;
  const xs = examples.map((e) => e.x.map((v, j) => (v - mean[j]!) / std[j]!));
  // In standardised space, a raw coefficient c_j is the weight c_j · std_j.
  const w0 = Array.from({ length: f }, (_, j) => (options.prior?.[j] ?? 0) * std[j]!);
  const w = [...w0];
  let b = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const grad = new Array<number>(f).fill(0);
    let gb = 0;
    examples.forEach((e, i) => {
      const x = xs[i]!;
      let z = b;
      for (let j = 0; j < f; j++) z += w[j]! * x[j]!;
      const err = (sigmoid(z) - e.y) * e.weight;
      gb += err;
      for (let j = 0; j < f; j++) grad[j]! += err * x[j]!;
    });
    b -= (options.learningRate * gb) / totalWeight;
    for (let j = 0; j < f; j++) w[j]! -= options.learningRate * (grad[j]! / totalWeight + options.l2 * (w[j]! - w0[j]!));
  }
  let loss = 0;
  let correct = 0;
  examples.forEach((e, i) => {
    let z = b;
    for (let j = 0; j < f; j++) z += w[j]! * xs[i]![j]!;
    const p = Math.min(1 - 1e-9, Math.max(1e-9, sigmoid(z)));
    loss += -e.weight * (e.y ? Math.log(p) : Math.log(1 - p));
    correct += e.weight * (Number(p >= 0.5) === e.y ? 1 : 0);
  });
  return { model: { packed: pack(b, w, mean, std), features: f }, loss: loss / totalWeight, accuracy: correct / totalWeight };
}

/** The reranker's probability that a candidate with features `x` is a source the answer needs. */
export function score(packed: ArrayLike<number>, x: number[]): number {
  const { bias, weights, mean, std } = unpack(packed);
  let z = bias;
  for (let j = 0; j < weights.length; j++) z += weights[j]! * ((x[j]! - mean[j]!) / std[j]!);
  return sigmoid(z);
}
