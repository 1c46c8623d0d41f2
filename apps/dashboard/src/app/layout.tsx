import type { Metadata } from "next";
import { headers } from "next/headers";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { TRPCReactProvider } from "@/lib/trpc/client";
import { TooltipProvider } from "@/components/ui/tooltip";
import { Toaster } from "@/components/ui/toast";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Motion console", template: "%s · Motion" },
  description: "Operate deployed Motion apps: data, reviews, state versions and fits.",
};

const themeScript = `try{var t=localStorage.getItem("motion-theme");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;

/** The nonce of this response's Content-Security-Policy (server.ts sets it on the request). */
async function scriptNonce(): Promise<string | undefined> {
  const policy = (await headers()).get("content-security-policy");
  return policy?.match(/'nonce-([^']+)'/)?.[1];
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const nonce = await scriptNonce();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen font-sans antialiased">
        <NuqsAdapter>
          <TRPCReactProvider>
            <TooltipProvider delayDuration={300}>
              <Toaster>{children}</Toaster>
            </TooltipProvider>
          </TRPCReactProvider>
        </NuqsAdapter>
      </body>
    </html>
  );
}
