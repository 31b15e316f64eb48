"""Shop exports read as they are, recognised from their headers (issue 11).

Each file here is small and synthetic, written in the layout's published columns and
conventions (see ``xlbizops/report/presets.py`` for the sources); the expected values
are worked out by hand from the rows.
"""

from __future__ import annotations

import pandas as pd
import pytest

from xlbizops.cli import main
from xlbizops.core.errors import UsageError
from xlbizops.report.inputs import read_orders

LATEST = pd.Timestamp("2026-12-31")


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


SHOPIFY = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Lineitem discount,"
    "Shipping Country,Cancelled at,Refunded Amount,Source\n"
    "#1001,Ann@Example.com,paid,2026-09-16 09:12:00 -0500,fulfilled,2026-09-17 10:00:00 -0500,"
    "USD,25.00,5.00,2.00,32.00,,0,UPS,2026-09-16 09:12:00 -0500,2,Truffles,10.00,TRF,0,US,,0,web\n"
    "#1001,,,,,,,,,,,,,,,1,Caramels,5.00,CAR,0,,,,\n"
    "#1002,bo@example.com,voided,,unfulfilled,,USD,48.00,0,0,48.00,,0,UPS,"
    "2026-09-17 23:30:00 +0100,1,Truffles,48.00,TRF,0,GB,2026-09-18 08:00:00 +0100,0,web\n"
    "#1003,cy@example.com,partially_refunded,2026-09-18 12:00:00 -0500,fulfilled,"
    "2026-09-19 09:00:00 -0500,USD,30.00,0,0,30.00,,0,UPS,2026-09-18 12:00:00 -0500,3,"
    "Bars,10.00,BAR,0,US,,5.00,pos\n"
)


def test_shopify(tmp_path):
    lines, intake = read_orders(write(tmp_path / "orders_export.csv", SHOPIFY), latest=LATEST)
    assert intake.layout == "Shopify orders export (recognised from its headers)"
    assert len(lines) == 5  # 4 line items + 1 refund line
    first = lines[lines["order_id"] == "#1001"]
    assert first["customer_id"].tolist() == ["ann@example.com"] * 2  # carried down
    assert first["order_date"].tolist() == [pd.Timestamp("2026-09-16 09:12")] * 2  # shop clock
    assert first["amount"].sum() == 2 * 10 + 1 * 5
    assert lines.loc[lines["order_id"] == "#1002", "status"].tolist() == ["cancelled"]
    refund = lines[(lines["order_id"] == "#1003") & lines["is_return"]]
    assert refund["amount"].tolist() == [-5.0]
    assert "1 partial refund(s) read as return lines" in intake.notes


UCI = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom\n"
    "536370,22728,ALARM CLOCK PINK,24,12/13/2010 8:45,3.75,12583.0,France\n"
    "C536379,D,Discount,-1,12/13/2010 9:41,27.50,14527.0,United Kingdom\n"
    "536414,22139,RETROSPOT TEA SET,56,12/13/2010 11:52,0,,United Kingdom\n"
)


def test_uci_online_retail(tmp_path):
    lines, intake = read_orders(write(tmp_path / "Online Retail.csv", UCI), latest=LATEST)
    assert intake.layout.startswith("UCI Online Retail")
    assert intake.rejected == {"blank customer_id": 1}  # no customer id: rejected, counted
    assert sorted(lines["customer_id"].unique()) == ["12583", "14527", "17850"]
    assert lines["amount"].tolist() == pytest.approx([6 * 2.55, 6 * 3.39, 24 * 3.75, -27.50])
    cancel = lines[lines["order_id"] == "C536379"]
    assert cancel["status"].tolist() == ["cancelled"] and cancel["is_return"].all()
    assert lines["order_date"].iloc[2] == pd.Timestamp("2010-12-13 08:45")


def test_uci_online_retail_ii(tmp_path):
    text = (
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
        "489434,85048,ROSE CHERRY LIGHTS,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
        "C489449,22087,PAPER BUNTING,-12,2009-12-01 10:33:00,2.95,16321.0,Australia\n"
    )
    lines, intake = read_orders(write(tmp_path / "online_retail_II.csv", text), latest=LATEST)
    assert intake.layout.startswith("UCI Online Retail")
    assert lines["customer_id"].tolist() == ["13085", "16321"]
    assert lines["amount"].tolist() == pytest.approx([83.4, -35.4])


def test_woocommerce(tmp_path):
    text = (
        "Date,Order #,Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net sales\n"
        "2026-03-01 10:00:00,1201,Completed,Ann Lee,new,Mug,2,,24.00\n"
        "2026-03-02 11:00:00,1202,Refunded,Bo Ray,returning,Cup,1,,12.00\n"
        "2026-03-05 09:00:00,1202,Refunded,Bo Ray,returning,Cup,1,,-12.00\n"
        "2026-03-03 12:00:00,1203,Cancelled,Cy Ng,new,Mug,1,,0.00\n"
    )
    lines, intake = read_orders(write(tmp_path / "wc-orders-report.csv", text), latest=LATEST)
    assert intake.layout.startswith("WooCommerce orders report")
    assert lines["status"].tolist() == ["completed", "refunded", "refunded", "cancelled"]
    assert lines["amount"].sum() == 24.0  # the refund row nets the refunded order
    assert lines["is_return"].tolist() == [False, False, True, False]


def test_amazon_all_orders_report(tmp_path):
    header = (
        "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\t"
        "order-status\tfulfillment-channel\tsales-channel\tproduct-name\tsku\tasin\t"
        "item-status\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\t"
        "item-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\n"
    )
    rows = (
        "111-1\t\t2026-05-01T10:20:30+00:00\t2026-05-02T00:00:00+00:00\tShipped\tAmazon\t"
        "Amazon.com\tTea\tTEA-1\tB01\tShipped\t2\tUSD\t20.00\t1.60\t0\t2.00\tSeattle\tWA\t98101\tUS\n"
        "111-2\t\t2026-05-02T08:00:00+00:00\t2026-05-02T09:00:00+00:00\tCancelled\tMerchant\t"
        "Amazon.com\tTea\tTEA-1\tB01\tCancelled\t1\tUSD\t10.00\t0.80\t0\t0\tSeattle\tWA\t98101\tUS\n"
    )  # fmt: skip
    lines, intake = read_orders(write(tmp_path / "All Orders.txt", header + rows), latest=LATEST)
    assert intake.layout.startswith("Amazon Seller Central")
    assert lines["amount"].tolist() == [18.0, 10.0]  # item-price is the line total
    assert lines["unit_price"].tolist() == [9.0, 10.0]
    assert lines["customer_id"].tolist() == ["98101 US"] * 2
    assert lines["status"].tolist() == ["shipped", "cancelled"]
    assert any("no buyer id" in note for note in intake.notes)


def test_etsy_sold_orders(tmp_path):
    text = (
        "Sale Date,Order ID,Buyer User ID,Full Name,Number of Items,Date Shipped,Ship Country,"
        "Currency,Order Value,Discount Amount,Shipping,Sales Tax,Order Total,Status,"
        "Adjusted Order Total,SKU\n"
        "03/05/24,3001,buyer1,Ann Lee,2,03/07/24,United States,USD,40.00,4.00,5.00,0,41.00,"
        "Completed,41.00,RING-1\n"
        "03/09/24,3002,buyer2,Bo Ray,1,,Canada,USD,25.00,0,5.00,0,30.00,Completed,20.00,RING-2\n"
    )
    lines, intake = read_orders(write(tmp_path / "EtsySoldOrders2024.csv", text), latest=LATEST)
    assert intake.layout == "Etsy sold orders (recognised from its headers)"
    assert lines["order_date"].tolist() == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-09")]
    assert lines["amount"].tolist() == [36.0, 15.0]  # value - discount - (total - adjusted)
    assert lines["customer_id"].tolist() == ["buyer1", "buyer2"]


def test_olist_tables_passed_together(tmp_path, capsys):
    orders = write(tmp_path / "olist_orders_dataset.csv", (
        "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
        "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n"
        "o1,c1,delivered,2017-10-02 10:56:33,2017-10-02 11:07:15,2017-10-04 19:55:00,"
        "2017-10-10 21:25:13,2017-10-18 00:00:00\n"
        "o2,c2,canceled,2017-10-03 09:00:00,,,,2017-10-20 00:00:00\n"
        "o3,c3,delivered,2018-01-05 08:00:00,2018-01-05 09:00:00,2018-01-06 10:00:00,"
        "2018-01-09 10:00:00,2018-01-20 00:00:00\n"
    ))  # fmt: skip
    items = write(tmp_path / "olist_order_items_dataset.csv", (
        "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value\n"
        "o1,1,p1,s1,2017-10-06 11:07:15,29.99,8.72\n"
        "o1,2,p2,s2,2017-10-06 11:07:15,10.00,3.00\n"
        "o2,1,p1,s1,2017-10-05 09:00:00,29.99,8.72\n"
        "o3,1,p3,s1,2018-01-07 09:00:00,50.00,5.00\n"
    ))  # fmt: skip
    customers = write(tmp_path / "olist_customers_dataset.csv", (
        "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n"
        "c1,u1,3149,sao paulo,SP\nc2,u2,1151,sao paulo,SP\nc3,u1,3149,sao paulo,SP\n"
    ))  # fmt: skip
    lines, intake = read_orders([orders, items, customers], latest=LATEST)
    assert intake.layout.startswith("Olist")
    assert len(lines) == 4
    assert sorted(lines["customer_id"].unique()) == ["u1", "u2"]  # c1 and c3 are one person
    assert lines.loc[lines["order_id"] == "o2", "status"].tolist() == ["cancelled"]
    assert lines["supplier"].tolist().count("s1") == 3
    out = tmp_path / "r.xlsx"
    assert main(["report", str(orders), str(items), str(customers), "-o", str(out), "-q"]) == 0
    with pytest.raises(UsageError, match="needs its items"):
        read_orders([orders, customers], latest=LATEST)


def test_a_preset_can_be_forced_and_unknown_ones_are_named(tmp_path, capsys):
    path = write(tmp_path / "export.csv", UCI)
    lines, intake = read_orders(path, preset="online-retail", latest=LATEST)
    assert intake.layout == "UCI Online Retail (I or II) (given with --preset)"
    code = main(["report", str(path), "--preset", "bigcommerce", "-o", str(tmp_path / "r.xlsx")])
    assert code == 2 and "presets: shopify, woocommerce" in capsys.readouterr().err


def test_the_about_sheet_says_which_layout_was_read(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    assert main(["report", str(write(tmp_path / "o.csv", UCI * 1)), "-o", str(out), "-q",
                 "--as-of", "2010-12-31"]) == 0  # fmt: skip
    facts = {r[0]: r[1] for r in load_workbook(out)["About"].iter_rows(values_only=True) if r[0]}
    assert facts["layout"] == "UCI Online Retail (I or II) (recognised from its headers)"
