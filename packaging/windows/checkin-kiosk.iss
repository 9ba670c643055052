; Inno Setup script for checkin-kiosk on Windows (x64).
;
; Build the app folder first on a Windows machine (Git Bash):  packaging/build.sh --binary-only
; then:  iscc /DAppVersion=0.1.0 packaging\windows\checkin-kiosk.iss
; Output: dist\checkin-kiosk-<version>-windows-x64-setup.exe
;
; Installs per machine into Program Files: checkin-kiosk.exe (the app, no console window)
; and kiosk.exe (the command line, for scripts: "kiosk.exe doctor"). Optional tasks: a
; desktop icon, start the door screen at login (full screen, locked), add kiosk.exe to PATH.
; Settings, the replica and logs stay in each user's folders (%LOCALAPPDATA%\checkin-kiosk)
; and survive an uninstall. The device token lives in Windows Credential Manager.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Check-in Kiosk"
#define AppExe "checkin-kiosk.exe"

[Setup]
AppId={{6F1C2A4E-3B7D-4C1F-9A55-0C6D3E8B2F41}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=checkin-kiosk
DefaultDirName={autopf}\checkin-kiosk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
OutputDir=..\..\dist
OutputBaseFilename=checkin-kiosk-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\checkin-kiosk.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "Create a desktop icon"; Flags: unchecked
Name: "autostart"; Description: "Start the door screen (full screen, locked) when a user logs in"; Flags: unchecked
Name: "addtopath"; Description: "Add kiosk.exe (the command line) to PATH"; Flags: unchecked

[Files]
Source: "..\..\dist\checkin-kiosk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\linux\config.toml.example"; DestDir: "{app}\doc"; Flags: ignoreversion
Source: "..\README.md"; DestDir: "{app}\doc"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{#AppName} (window)"; Filename: "{app}\{#AppExe}"; Parameters: "--windowed"
Name: "{group}\Check this computer (doctor)"; Filename: "{cmd}"; Parameters: "/k ""{app}\kiosk.exe"" doctor"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon
Name: "{commonstartup}\{#AppName} door screen"; Filename: "{app}\{#AppExe}"; Parameters: "--kiosk"; Tasks: autostart

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: expandsz; \
  ValueName: "Path"; ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NotInPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName} now"; Flags: nowait postinstall skipifsilent

[Code]
function NotInPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment', 'Path', Path) then
    Path := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;
