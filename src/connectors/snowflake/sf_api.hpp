#pragma once
// The Snowflake SQL API v2 calls the connector makes: authenticated JSON requests, and
// statements (asynchronous submission, status polling, result partitions, cancellation).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <freshguard/net/http_client.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/resilience/sleeper.hpp>

#include "connectors/snowflake/sf_auth.hpp"

namespace freshguard::snowflake {

/// The statement context sent with every statement (names as Snowflake stores them).
struct ApiSettings {
  std::string base_url;  ///< e.g. https://myorg-myaccount.snowflakecomputing.com
  std::string database;
  std::string schema;
  std::string warehouse;  ///< empty: the user's default
  std::string role;       ///< empty: the user's default
};

/// One result column: its name and SQL API type (`fixed`, `text`, `timestamp_ntz`, ...).
struct Column {
  std::string name;
  std::string type;
};

/// A statement's result: columns and every row of every partition (jsonv2 values: strings,
/// or nullopt for NULL).
struct Result {
  std::vector<Column> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  /// The index of column `name` (case-insensitive), or -1.
  int column(std::string_view name) const;
};

/// A positional bind value (`?` in the statement) of SQL API type TEXT or FIXED.
struct Binding {
  std::string type;
  std::string value;
};

/// Thread-safe (Auth locks itself; everything else is immutable).
class Api {
 public:
  /// Everything passed by reference must outlive this.
  Api(ApiSettings settings, const net::HttpClient& http, Auth& auth, const Clock& clock,
      resilience::Sleeper& sleeper);

  /// Runs one statement: submitted asynchronously (`async=true`, a fresh requestId, the
  /// statement timeout set to the time left, MULTI_STATEMENT_COUNT 1), its status polled
  /// until it completes, then every result partition fetched. When `deadline` passes first
  /// the statement is cancelled and TimeoutError thrown. Errors as sf_errors.hpp maps them;
  /// a 401 drops the token and the request is sent once more with a new one.
  Result execute(const std::string& statement, const std::vector<Binding>& bindings,
                 const resilience::Deadline& deadline);

 private:
  struct Reply {
    long status = 0;
    nlohmann::json body;
  };
  Reply call(const std::string& method, const std::string& path, const nlohmann::json* body,
             const resilience::Deadline& deadline, const std::string& what);
  nlohmann::json request_body(const std::string& statement, const std::vector<Binding>& bindings,
                              const resilience::Deadline& deadline) const;
  nlohmann::json wait(const std::string& handle, const resilience::Deadline& deadline);
  void cancel(const std::string& handle) noexcept;

  ApiSettings settings_;
  const net::HttpClient& http_;
  Auth& auth_;
  const Clock& clock_;
  resilience::Sleeper& sleeper_;
};

}  // namespace freshguard::snowflake
