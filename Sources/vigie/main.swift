import VigieCLI

// The executable is only this line: every command, option group and argument type lives in the VigieCLI library,
// where the tests parse them without starting a process.
Vigie.execute()
