#pragma once
// A tiny logging hook. The engine writes English lines; the app decides where they go
// (stderr by default, the UI's log view in the desktop app).

#include <functional>
#include <string>

namespace engine {

enum class LogLevel { Debug, Info, Warning, Error };

using LogSink = std::function<void(LogLevel, const std::string&)>;

// Replaces the sink (thread-safe). Passing an empty function restores the stderr sink.
void setLogSink(LogSink sink);
// Messages below this level are dropped. Default: Info.
void setLogLevel(LogLevel level);
void log(LogLevel level, const std::string& message);

inline void logInfo(const std::string& m) { log(LogLevel::Info, m); }
inline void logWarning(const std::string& m) { log(LogLevel::Warning, m); }

} // namespace engine
