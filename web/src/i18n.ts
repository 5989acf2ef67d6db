// The UI's words in Spanish and English. The browser language decides; the button switches.
export type Lang = "es" | "en";

const words = {
  es: {
    explorer: "Explorador",
    refresh: "Actualizar",
    refreshed: "Actualizado",
    hidden: "Ocultos",
    entries: "elementos",
    loading: "Cargando",
    busy: "Hay un comando en marcha: la terminal cambiará de carpeta cuando termine (Ctrl-C lo para).",
    symlink: "enlace simbólico (no se sigue fuera del espacio de trabajo)",
    send: "Ejecutar",
    placeholder: "Di qué quieres hacer: «crea la carpeta PROYECTO y dentro un archivo notas.txt»",
    connecting: "conectando…",
    connected: "conectado",
    disconnected: "desconectado",
    unauthorized: "Sin acceso: abre la URL con el token que atajo imprimió al arrancar, o escribe el token.",
    loginButton: "Entrar",
    empty: "Carpeta vacía",
    denied: "no permitido",
    notUnderstood: "no entendido",
    lossy: "nombre no UTF-8",
    welcome: "Terminal de atajo: escribe un comando (ls, cat, mkdir, cp, mv, rm, find, grep, tar…; | y > funcionan) o usa la barra de abajo. «? comando» explica un comando sin ejecutarlo.",
    explainHow: "Escribe «? » y el comando, por ejemplo «? tar czf copia.tgz docs».",
    destructive: "Destructivo; borraría o reemplazaría",
    confirmQuestion: "¿Confirmar? [s = sí, a la papelera · P = borrar definitivamente · otra tecla = no]",
    notConfirmed: "No confirmado: no se ha hecho nada.",
    truncated: "salida truncada",
    timedOut: "tiempo agotado",
    cancelled: "cancelado (Ctrl-C)",
    other: "English",
  },
  en: {
    explorer: "Explorer",
    refresh: "Refresh",
    refreshed: "Refreshed",
    hidden: "Hidden",
    entries: "entries",
    loading: "Loading",
    busy: "A command is running: the terminal changes folder once it ends (Ctrl-C stops it).",
    symlink: "symbolic link (never followed outside the workspace)",
    send: "Run",
    placeholder: "Say what you want: \"create a folder called PROYECTO\"",
    connecting: "connecting…",
    connected: "connected",
    disconnected: "disconnected",
    unauthorized: "No access: open the URL with the token atajo printed when it started, or type the token.",
    loginButton: "Sign in",
    empty: "Empty folder",
    denied: "not allowed",
    notUnderstood: "not understood",
    lossy: "non-UTF-8 name",
    welcome: "atajo terminal: type a command (ls, cat, mkdir, cp, mv, rm, find, grep, tar…; | and > work) or use the bar below. \"? command\" explains a command without running it.",
    explainHow: "Type \"? \" and the command, e.g. \"? tar czf backup.tgz docs\".",
    destructive: "Destructive; it would delete or replace",
    confirmQuestion: "Confirm? [y = yes, to the trash · P = delete permanently · any other key = no]",
    notConfirmed: "Not confirmed: nothing was done.",
    truncated: "output truncated",
    timedOut: "timed out",
    cancelled: "cancelled (Ctrl-C)",
    other: "Español",
  },
} as const;

export type Key = keyof (typeof words)["en"];

function initial(): Lang {
  const saved = localStorage.getItem("atajo.lang");
  if (saved === "es" || saved === "en") return saved;
  return navigator.language.toLowerCase().startsWith("es") ? "es" : "en";
}

let current: Lang = initial();

export const lang = (): Lang => current;
export const t = (k: Key): string => words[current][k];

export function toggle(): Lang {
  current = current === "es" ? "en" : "es";
  localStorage.setItem("atajo.lang", current);
  return current;
}
