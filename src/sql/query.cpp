#include <stdexcept>

#include <freshguard/sql/query.hpp>

namespace freshguard::sql {

std::string AggregateQuery::render(const Dialect& dialect) const {
  std::string out = "SELECT ";
  switch (aggregate) {
    case Aggregate::kCountAll:
      out += "count(*)";
      break;
    case Aggregate::kMax:
    case Aggregate::kMin:
      if (!column) throw std::logic_error("MAX/MIN query without a column");
      out += aggregate == Aggregate::kMax ? "max(" : "min(";
      out += dialect.quote(*column);
      out += ')';
      break;
  }
  out += " FROM ";
  out += catalog.empty() ? dialect.quote(table) : dialect.quote(TableRef{catalog, table});
  if (filter) {
    out += " WHERE ";
    out += sql::render(*filter, dialect);
  }
  return out;
}

}  // namespace freshguard::sql
