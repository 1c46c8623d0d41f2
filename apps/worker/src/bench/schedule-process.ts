// One process of the scheduler bench (spawned three times): Motion with the bench app on a
// shared database and a simulated clock; it adds a row now and then, lets its schedule service
// claim ticks, and stops once the simulated window is over. Prints its counts as JSON.
import { Motion } from "@motion/engine";
import { scheduleBenchApp, simulatedClock } from "./schedule-app.ts";

const [url, simStart, realStart, speed, endsAtReal, id] = process.argv.slice(2);
const now = simulatedClock(Number(simStart), Number(realStart), Number(speed));
const motion = await Motion.open({ app: scheduleBenchApp, databaseUrl: url!, fitIn: "inline", schedules: { auto: true, now, pollMs: 20 } });
let added = 0;
const adder = setInterval(() => {
  void motion.add("beats", { from: Number(id), n: added++ }).catch((error: unknown) => console.error(`add failed: ${(error as Error).message}`));
}, 90 + Number(id) * 7);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(endsAtReal) - Date.now())));
clearInterval(adder);
await motion.schedules.close(); // no new ticks: finish the runs already queued
await motion.flush();
await motion.close();
console.log(JSON.stringify({ id: Number(id), added }));
