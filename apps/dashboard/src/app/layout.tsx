import type { Metadata } from "next";
import { TRPCReactProvider } from "@/lib/trpc/client";
import { TooltipProvider } from "@/components/ui/tooltip";
import { Toaster } from "@/components/ui/toast";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Motion console", template: "%s · Motion" },
  description: "Operate deployed Motion apps: data, reviews, state versions and fits.",
};

const themeScript = `try{var t=localStorage.getItem("motion-theme");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen font-sans antialiased">
        <TRPCReactProvider>
          <TooltipProvider delayDuration={300}>
            <Toaster>{children}</Toaster>
          </TooltipProvider>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
