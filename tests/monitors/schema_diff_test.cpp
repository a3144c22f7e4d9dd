#include <gtest/gtest.h>

#include <freshguard/monitors/schema_diff.hpp>

namespace freshguard {
namespace {

TEST(SchemaDiffTest, NormalizeType) {
  EXPECT_EQ(normalize_type("VARCHAR( 100 )"), "varchar(100)");
  EXPECT_EQ(normalize_type("  character   varying(20) "), "varchar(20)");
  EXPECT_EQ(normalize_type("INT"), "integer");
  EXPECT_EQ(normalize_type("int4"), "integer");
  EXPECT_EQ(normalize_type("int8"), "bigint");
  EXPECT_EQ(normalize_type("INT2"), "smallint");
  EXPECT_EQ(normalize_type("DECIMAL(12, 2)"), "numeric(12,2)");
  EXPECT_EQ(normalize_type("double precision"), "double");
  EXPECT_EQ(normalize_type("float4"), "real");
  EXPECT_EQ(normalize_type("bool"), "boolean");
  EXPECT_EQ(normalize_type("timestamp(6) without time zone"), "timestamp(6)");
  EXPECT_EQ(normalize_type("TIMESTAMP WITH TIME ZONE"), "timestamptz");
  EXPECT_EQ(normalize_type("time with time zone"), "timetz");
  EXPECT_EQ(normalize_type("int(11) unsigned"), "integer(11) unsigned");
  EXPECT_EQ(normalize_type("ENUM('A', 'b')"), "enum('A','b')");
  EXPECT_EQ(normalize_type("TEXT"), "text");
  EXPECT_EQ(normalize_type(""), "");
}

TEST(SchemaDiffTest, CompareTypesInFull) {
  EXPECT_EQ(compare_types("varchar(100)", "varchar(100)"), TypeChange::kSame);
  EXPECT_EQ(compare_types("varchar(100)", "varchar(20)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("varchar(20)", "varchar(100)"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("varchar(20)", "text"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("text", "varchar(20)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("char", "varchar(2)"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("integer", "bigint"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("bigint", "integer"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("double", "real"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("integer", "double"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("integer", "numeric"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("integer", "numeric(12,2)"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("bigint", "numeric(12,2)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("numeric(12,2)", "numeric(14,2)"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("numeric(12,2)", "numeric(12,4)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("numeric(12,2)", "numeric(10,2)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("numeric(12,2)", "numeric"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("numeric", "numeric(12,2)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("timestamp(6)", "timestamp(3)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("timestamp(3)", "timestamp"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("timestamp(3)", "timestamp(6)"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("timestamp", "timestamp(3)"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("enum('a','b')", "enum('a','b','c')"), TypeChange::kWidening);
  EXPECT_EQ(compare_types("enum('a','b')", "enum('a')"), TypeChange::kNarrowing);
  EXPECT_EQ(compare_types("text", "integer"), TypeChange::kIncompatible);
  EXPECT_EQ(compare_types("timestamp", "timestamptz"), TypeChange::kIncompatible);
}

std::vector<SchemaColumn> cols(std::initializer_list<SchemaColumn> c) {
  return c;
}

TEST(SchemaDiffTest, DiffReportsEveryKindWithSeverity) {
  const auto before = cols({{"id", "integer", false, 1},
                            {"name", "varchar(100)", true, 2},
                            {"amount", "integer", true, 3},
                            {"note", "text", true, 4},
                            {"code", "text", true, 5}});
  const auto after = cols({{"id", "integer", true, 1},
                           {"name", "varchar(20)", true, 2},
                           {"amount", "bigint", true, 3},
                           {"code", "integer", true, 4},
                           {"added", "text", true, 5}});
  const auto changes = diff_schemas(before, after);
  ASSERT_EQ(changes.size(), 6u);
  EXPECT_EQ(changes[0].kind, SchemaChangeKind::kNullabilityChanged);
  EXPECT_EQ(changes[0].column, "id");
  EXPECT_EQ(changes[0].severity, ChangeSeverity::kMedium);
  EXPECT_EQ(changes[0].detail, "not null -> nullable");
  EXPECT_EQ(changes[1].kind, SchemaChangeKind::kTypeChanged);
  EXPECT_EQ(changes[1].severity, ChangeSeverity::kHigh);
  EXPECT_EQ(changes[1].detail, "narrowing: varchar(100) -> varchar(20)");
  EXPECT_EQ(changes[2].severity, ChangeSeverity::kMedium);
  EXPECT_EQ(changes[2].detail, "widening: integer -> bigint");
  EXPECT_EQ(changes[3].kind, SchemaChangeKind::kRemoved);
  EXPECT_EQ(changes[3].column, "note");
  EXPECT_EQ(changes[3].severity, ChangeSeverity::kHigh);
  EXPECT_EQ(changes[3].old_type, "text");
  EXPECT_EQ(changes[4].detail, "incompatible: text -> integer");
  EXPECT_EQ(changes[4].severity, ChangeSeverity::kHigh);
  EXPECT_EQ(changes[5].kind, SchemaChangeKind::kAdded);
  EXPECT_EQ(changes[5].column, "added");
  EXPECT_EQ(changes[5].severity, ChangeSeverity::kLow);
  EXPECT_EQ(changes[5].new_type, "text");
  EXPECT_FALSE(changes[5].old_nullable);
}

TEST(SchemaDiffTest, OrderAloneIsNotAChange) {
  const auto a = cols({{"a", "text", true, 1}, {"b", "text", true, 2}});
  const auto b = cols({{"b", "text", true, 1}, {"a", "text", true, 2}});
  EXPECT_TRUE(diff_schemas(a, b).empty());
  EXPECT_TRUE(diff_schemas(a, a).empty());
}

TEST(SchemaDiffTest, SnapshotNormalisesTypes) {
  TableSchema schema{sql::QualifiedName::parse("main.orders", "table"),
                     {{"id", "INT", false, true, 1}, {"name", "VARCHAR(10)", true, false, 2}}};
  const auto snap = snapshot_of("r1", schema, WallTime{});
  EXPECT_EQ(snap.rule_id, "r1");
  EXPECT_EQ(snap.table, "main.orders");
  ASSERT_EQ(snap.columns.size(), 2u);
  EXPECT_EQ(snap.columns[0].type, "integer");
  EXPECT_FALSE(snap.columns[0].nullable);
  EXPECT_EQ(snap.columns[1].type, "varchar(10)");
  EXPECT_EQ(snap.columns[1].position, 2);
}

TEST(SchemaDiffTest, ContractSpellings) {
  EXPECT_EQ(to_string(SchemaChangeKind::kAdded), "added");
  EXPECT_EQ(to_string(SchemaChangeKind::kRemoved), "removed");
  EXPECT_EQ(to_string(SchemaChangeKind::kTypeChanged), "type_changed");
  EXPECT_EQ(to_string(SchemaChangeKind::kNullabilityChanged), "nullability_changed");
  EXPECT_EQ(to_string(ChangeSeverity::kLow), "low");
  EXPECT_EQ(to_string(ChangeSeverity::kMedium), "medium");
  EXPECT_EQ(to_string(ChangeSeverity::kHigh), "high");
  EXPECT_EQ(to_string(SchemaBaselineAction::kKept), "kept");
  EXPECT_EQ(to_string(SchemaBaselineAction::kCreated), "created");
  EXPECT_EQ(to_string(SchemaBaselineAction::kUpdated), "updated");
  EXPECT_EQ(to_string(BaselineStatus::kReady), "ready");
  EXPECT_EQ(to_string(BaselineStatus::kInsufficientHistory), "insufficient_history");
}

}  // namespace
}  // namespace freshguard
