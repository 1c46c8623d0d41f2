import { Badge } from "@/components/ui/badge";
import { statusInfo } from "../status";

export function DriftStatusBadge({ status, className }: { status: string; className?: string }) {
  const info = statusInfo(status);
  return (
    <Badge variant={info.variant} title={info.help} className={className} data-testid="drift-status" data-status={status}>
      {info.label}
    </Badge>
  );
}
