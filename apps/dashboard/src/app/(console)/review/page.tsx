import { redirectToFirstTrigger } from "@/features/state/first-trigger";

export default function ReviewIndex() {
  redirectToFirstTrigger("/review");
}
