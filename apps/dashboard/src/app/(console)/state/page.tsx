import { redirectToFirstTrigger } from "@/features/state/first-trigger";

export default function StateIndex() {
  redirectToFirstTrigger("/state");
}
