/*
 * 信息公开目录：列表由脚本生成。
 * 打开页面时加载第一页；点击“加载更多”(button.load-more) 或滚动到页面底部时加载下一页；
 * 接口返回 has_more=false 后不再加载。
 */
(function () {
  "use strict";
  var list = document.getElementById("dyn-list");
  var button = document.getElementById("load-more");
  var status = document.getElementById("dyn-status");
  var api = list.getAttribute("data-api");
  var nextPage = 1;
  var hasMore = true;
  var loading = false;

  function render(items) {
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      var li = document.createElement("li");
      li.className = "dyn-item";
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      var date = document.createElement("span");
      date.className = "date";
      date.textContent = item.date;
      li.appendChild(link);
      li.appendChild(date);
      list.appendChild(li);
    }
    list.setAttribute("data-count", String(list.children.length));
  }

  function finish() {
    if (hasMore) {
      status.textContent = "";
    } else {
      status.textContent = "没有更多了";
      button.hidden = true;
    }
  }

  function loadNext() {
    if (loading || !hasMore) {
      return;
    }
    loading = true;
    status.textContent = "正在加载……";
    fetch(api + "?page=" + nextPage, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        render(data.items);
        nextPage = data.page + 1;
        hasMore = data.has_more;
        loading = false;
        finish();
      })
      .catch(function () {
        loading = false;
        status.textContent = "加载失败，请稍后重试";
      });
  }

  button.addEventListener("click", loadNext);
  window.addEventListener("scroll", function () {
    var bottom = window.innerHeight + window.scrollY;
    if (bottom >= document.documentElement.scrollHeight - 40) {
      loadNext();
    }
  });
  loadNext();
})();
