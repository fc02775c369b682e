export declare function actionDefaults(path?: string | URL): Record<string, string>
export declare const inputEnvName: (name: string) => string
export declare function parseFileCommands(text: string): Record<string, string>
