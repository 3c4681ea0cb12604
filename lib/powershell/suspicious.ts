/**
 * PowerShell's own list of suspicious script-block content: a script block whose text contains one
 * of these words is logged to Microsoft-Windows-PowerShell/Operational as event 4104 at Warning
 * level even where script block logging is not turned on (PowerShell repository,
 * src/System.Management.Automation/engine/runtime/CompiledScriptBlock.cs, class
 * SuspiciousContentChecker, LookupHash; the same list in the 6.0-era and current source). The
 * checker compares case-insensitively runs of letters and '-' in the text PowerShell compiles,
 * string literals included; iisctl checks each word conservatively as a case-insensitive substring
 * anywhere (tests: every script the library generates, and the stdin line that carries it).
 */
export const SUSPICIOUS_WORDS: readonly string[] = [
  // Calling Add-Type
  'Add-Type', 'DllImport',
  // Doing dynamic assembly building / method indirection
  'DefineDynamicAssembly', 'DefineDynamicModule', 'DefineType', 'DefineConstructor', 'CreateType', 'DefineLiteral', 'DefineEnum',
  'DefineField', 'ILGenerator', 'Emit', 'UnverifiableCodeAttribute', 'DefinePInvokeMethod', 'GetTypes', 'GetAssemblies', 'Methods',
  'Properties',
  // Suspicious methods / properties on "Type"
  'GetConstructor', 'GetConstructors', 'GetDefaultMembers', 'GetEvent', 'GetEvents', 'GetField', 'GetFields', 'GetInterface',
  'GetInterfaceMap', 'GetInterfaces', 'GetMember', 'GetMembers', 'GetMethod', 'GetMethods', 'GetNestedType', 'GetNestedTypes',
  'GetProperties', 'GetProperty', 'InvokeMember', 'MakeArrayType', 'MakeByRefType', 'MakeGenericType', 'MakePointerType',
  'DeclaringMethod', 'DeclaringType', 'ReflectedType', 'TypeHandle', 'TypeInitializer', 'UnderlyingSystemType',
  // Doing things with System.Runtime.InteropServices
  'InteropServices', 'Marshal', 'AllocHGlobal', 'PtrToStructure', 'StructureToPtr', 'FreeHGlobal', 'IntPtr',
  // General Obfuscation
  'MemoryStream', 'DeflateStream', 'FromBase64String', 'EncodedCommand', 'Bypass', 'ToBase64String', 'ExpandString', 'GetPowerShell',
  // Suspicious Win32 API calls
  'OpenProcess', 'VirtualAlloc', 'VirtualFree', 'WriteProcessMemory', 'CreateUserThread', 'CloseHandle', 'GetDelegateForFunctionPointer',
  'kernel32', 'CreateThread', 'memcpy', 'LoadLibrary', 'GetModuleHandle', 'GetProcAddress', 'VirtualProtect', 'FreeLibrary',
  'ReadProcessMemory', 'CreateRemoteThread', 'AdjustTokenPrivileges', 'WriteByte', 'WriteInt32', 'OpenThreadToken', 'PtrToString',
  'ZeroFreeGlobalAllocUnicode', 'OpenProcessToken', 'GetTokenInformation', 'SetThreadToken', 'ImpersonateLoggedOnUser', 'RevertToSelf',
  'GetLogonSessionData', 'CreateProcessWithToken', 'DuplicateTokenEx', 'OpenWindowStation', 'OpenDesktop', 'MiniDumpWriteDump',
  'AddSecurityPackage', 'EnumerateSecurityPackages', 'GetProcessHandle', 'DangerousGetHandle',
  // Crypto - ransomware, etc.
  'CryptoServiceProvider', 'Cryptography', 'RijndaelManaged', 'SHA1Managed', 'CryptoStream', 'CreateEncryptor', 'CreateDecryptor',
  'TransformFinalBlock', 'DeviceIoControl', 'SetInformationProcess', 'PasswordDeriveBytes',
  // Keylogging
  'GetAsyncKeyState', 'GetKeyboardState', 'GetForegroundWindow',
  // Using internal types
  'BindingFlags', 'NonPublic',
  // Changing logging settings
  'ScriptBlockLogging', 'LogPipelineExecutionDetails', 'ProtectedEventLogging',
];

/** The words of SUSPICIOUS_WORDS found in `text` (case-insensitive substrings), in list order. */
export function suspiciousContent(text: string): string[] {
  const lower = text.toLowerCase();
  return SUSPICIOUS_WORDS.filter((w) => lower.includes(w.toLowerCase()));
}
